"""The shared record store (the web extra): SQLite by default, PostgreSQL for teams."""

from aicompute.store.db import Conflict, NotFound, Row, Store, default_url

__all__ = ["Conflict", "NotFound", "Row", "Store", "default_url"]
