"""The shared record store (the web extra): SQLite by default, PostgreSQL for teams."""

from aicompute.store.db import ConflictError, NotFoundError, Row, Store, default_url

__all__ = ["ConflictError", "NotFoundError", "Row", "Store", "default_url"]
