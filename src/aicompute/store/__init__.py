"""The shared record store (the web extra): SQLite by default, PostgreSQL for teams."""

from aicompute.store.db import (
    ConflictError,
    DeletedError,
    DuplicateError,
    NotFoundError,
    Row,
    Store,
    default_url,
)

__all__ = [
    "ConflictError",
    "DeletedError",
    "DuplicateError",
    "NotFoundError",
    "Row",
    "Store",
    "default_url",
]
