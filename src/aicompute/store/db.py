"""The shared store of records: SQLite by default, PostgreSQL for teams.

Every record has a version; an update or a delete names the version it read, and a stale one is
refused (:class:`ConflictError`), so concurrent edits never overwrite each other silently. Every
change is written with its history row in one transaction, so a server killed mid-write leaves
either the old state or the new one. The schema is created and upgraded by Alembic migrations.

>>> import tempfile, os
>>> store = Store(f"sqlite:///{tempfile.mkdtemp()}/t.db")
>>> store.seed_if_empty() >= 32
True
>>> row = store.get("alexnet")
>>> row.version, row.record.name
(1, 'AlexNet')
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import threading
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from aicompute.dataset import Record
from aicompute.errors import InputError

if TYPE_CHECKING:
    from aicompute.trends.selection import RecordFilter

__all__ = [
    "ConflictError",
    "DeletedError",
    "DuplicateError",
    "NotFoundError",
    "Row",
    "Store",
    "changes",
    "default_url",
    "metadata",
]

metadata = sa.MetaData()

POOL_SIZE, POOL_OVERFLOW = 20, 20
"""Pooled database connections per server process (and the extra ones opened at peaks)."""

records_table = sa.Table(
    "records", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("year", sa.Float, nullable=False),
    sa.Column("domain", sa.String(40), nullable=False),
    sa.Column("confidence", sa.String(20), nullable=False),
    sa.Column("flop", sa.Float),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_records_domain", "domain"),
    sa.Index("ix_records_order", "year", "name", "id"),
)  # fmt: skip

history_table = sa.Table(
    "history", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.String(200), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("data", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.String(200)),
)  # fmt: skip


class ConflictError(Exception):
    """The record changed since the version the client read."""

    def __init__(self, record_id: str, expected: int, current: int) -> None:
        super().__init__(
            f"record {record_id!r} is at version {current}, not {expected}: it "
            "was changed by someone else; reload it and apply your edit again"
        )
        self.record_id, self.expected, self.current = record_id, expected, current


class DuplicateError(ConflictError):
    """A new record's id is already taken by a live record."""

    def __init__(self, record_id: str, name: str, current: int) -> None:
        Exception.__init__(
            self,
            f"a record named {name!r} already exists (id {record_id!r}); open it to edit it, "
            "or give the new record another name or id",
        )
        self.record_id, self.expected, self.current, self.name = record_id, 0, current, name


class NotFoundError(Exception):
    """No record with that id."""


class DeletedError(NotFoundError):
    """The record was deleted; it can be restored from its last version."""

    def __init__(self, record_id: str, version: int, deleted_at: dt.datetime) -> None:
        super().__init__(record_id)
        self.record_id, self.version, self.deleted_at = record_id, version, deleted_at


@dataclass(frozen=True)
class Row:
    record: Record
    version: int
    updated_at: dt.datetime
    reviewed: bool = True
    unreadable: tuple[dict[str, Any], ...] = ()
    """Stored calculations that no longer validate (each with its ``reason``): the record
    is still served, and its page says why each one cannot be redone."""

    def to_dict(self) -> dict[str, Any]:
        """The record as the API returns it: the CLI's record fields, version, year, pfs-days,
        whether it is reviewed and whether it has a source."""
        data = self.record.to_dict()
        data.update(
            id=self.record.id,
            version=self.version,
            reviewed=self.reviewed,
            unsourced=not self.record.sources,
            year=self.record.year,
            pfs_days=self.record.pfs_days,
            low_flop=self.record.low_flop,
            high_flop=self.record.high_flop,
            confidence=self.record.confidence,
            domain=self.record.domain,
            updated_at=self.updated_at.isoformat(timespec="seconds"),
        )
        return data


def default_url() -> str:
    """A SQLite file in the user data directory."""
    import platformdirs

    folder = platformdirs.user_data_path("aicompute", ensure_exists=True)
    return f"sqlite:///{folder / 'aicompute.db'}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fold(column: Any, dialect: str) -> Any:
    """SQL's form of :func:`aicompute.trends.selection.fold`, A-Z as a-z and nothing else
    (tests/test_filters.py holds them equal): SQLite's lower() folds ASCII only."""
    if dialect == "sqlite":
        return sa.func.lower(column)
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return sa.func.translate(column, upper, upper.lower())


def _engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            # as many pooled connections as the server has worker threads at once: a smaller
            # pool opens and closes a connection (and its pragmas) for most requests under load
            engine = sa.create_engine(
                url,
                connect_args={"timeout": 30, "check_same_thread": False},
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
            )

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
                # WAL with NORMAL: a killed process loses nothing committed (only power loss
                # could drop the last transactions); FULL would fsync every commit
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()

            return engine
        return sa.create_engine(
            url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True
        )
    except (sa.exc.ArgumentError, ImportError) as error:
        raise InputError("db", f"cannot use database {url!r}: {error}") from None


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema with the package's Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("aicompute.store").joinpath("migrations"))
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


LIVE = records_table.c.deleted_at.is_(None)
_Parsed = tuple[Record, tuple[dict[str, Any], ...]]
"""A stored record, and its stored calculations that no longer validate."""


class Store:
    """Records in a SQL database, with versions and history.

    A record's versions only ever grow, across deletes and re-creations: a delete is soft (the
    row stays, marked deleted, at a new version) and can be undone with :meth:`restore`.
    """

    _lock = threading.Lock()

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = _engine(self.url)
        self._readers: tuple[Engine, Any] | None = None
        self._parsed: dict[tuple[str, int, dt.datetime], _Parsed] = {}
        self._reviewed_frame: tuple[Any, Any] | None = None
        self._frame: Any = None
        self._frame_at = 0.0
        try:
            with self._lock:
                migrate(self.engine)
        except sa.exc.DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise InputError("db", f"cannot open database {_safe(self.url)}: {reason}") from None

    # --- reading ---------------------------------------------------------------------------

    def _row(self, row: Any) -> Row:
        # parsed records are kept by (id, version, time written): versions never repeat
        key = (row.id, row.version, row.updated_at)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = _parse(row.data)
            if len(self._parsed) > 50_000:
                self._parsed.clear()
            self._parsed[key] = parsed
        record, unreadable = parsed
        return Row(record, row.version, row.updated_at, bool(row.reviewed), unreadable)

    @property
    def _reader(self) -> Any:
        """The engine for reads of one statement: no BEGIN and ROLLBACK around each, which
        were most of a PostgreSQL read's round trips (writes keep their transactions)."""
        if self._readers is None or self._readers[0] is not self.engine:
            reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._readers = (self.engine, reader)
        return self._readers[1]

    def revision(self) -> int:
        """A number that changes with every write (the last history row)."""
        with self._reader.connect() as c:
            return c.execute(sa.select(sa.func.max(history_table.c.seq))).scalar() or 0

    def frame(
        self, max_age: float = 0.0, *, unreviewed: bool = True
    ) -> tuple[int, Any, dict[str, Row]]:
        """(revision, every record as a DataFrame, rows by id), built once per revision. With
        ``max_age``, a frame that recent is reused without asking the database (analysis
        views may lag writes by that much; record reads and writes never do). Without
        ``unreviewed``, the frame holds only reviewed records (rows by id still has all)."""
        whole = self._whole_frame(max_age)
        if unreviewed:
            return whole
        cached = self._reviewed_frame
        if cached is None or cached[0] is not whole:
            revision, frame, by_id = whole
            keep = frame["id"].map(lambda i: by_id[i].reviewed).astype(bool)
            cached = (whole, (revision, frame[keep], by_id))
            self._reviewed_frame = cached
        result: tuple[int, Any, dict[str, Row]] = cached[1]
        return result

    def _whole_frame(self, max_age: float) -> tuple[int, Any, dict[str, Row]]:
        import time

        from aicompute.dataset import records_to_frame

        cached = self._frame
        if cached is not None and max_age and time.monotonic() - self._frame_at < max_age:
            return cached
        revision = self.revision()
        if cached is not None and cached[0] == revision:
            self._frame_at = time.monotonic()
            return cached
        rows = self.list()
        frame = records_to_frame([r.record for r in rows])
        self._frame = (revision, frame, {r.record.id: r for r in rows})
        self._frame_at = time.monotonic()
        return self._frame

    def _where(self, query: Any, filter: RecordFilter | None) -> Any:
        """``query`` over the live records that pass ``filter`` (its SQL form)."""
        query = query.where(LIVE)
        if filter is None:
            return query
        if not getattr(filter, "unreviewed", True):
            query = query.where(records_table.c.reviewed.is_(True))
        dialect = self.engine.dialect.name
        return filter.where(query, records_table.c, lambda column: _fold(column, dialect))

    def count(self, filter: RecordFilter | None = None) -> int:
        """How many live records pass ``filter`` (its frontier rule aside)."""
        query = self._where(sa.select(sa.func.count()).select_from(records_table), filter)
        with self._reader.connect() as c:
            return int(c.execute(query).scalar_one())

    def list(
        self,
        filter: RecordFilter | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Row]:
        """Live records passing ``filter`` (its frontier rule aside; parameterized queries), by
        date, name, then id."""
        with self._reader.connect() as c:
            return [self._row(r) for r in c.execute(self._listing(filter, limit, offset))]

    def page(
        self, filter: RecordFilter | None = None, *, limit: int, offset: int = 0
    ) -> tuple[builtins.list[Row], int]:
        """A page of :meth:`list` and how many records pass ``filter`` in all, read on one
        connection (one pool checkout, not two)."""
        count = self._where(sa.select(sa.func.count()).select_from(records_table), filter)
        with self._reader.connect() as c:
            rows = [self._row(r) for r in c.execute(self._listing(filter, limit, offset))]
            short = len(rows) < limit and (rows or not offset)  # the last page: no count needed
            total = offset + len(rows) if short else int(c.execute(count).scalar_one())
        return rows, total

    def _listing(self, filter: RecordFilter | None, limit: int | None, offset: int) -> Any:
        query = self._where(sa.select(records_table), filter).order_by(
            records_table.c.year, records_table.c.name, records_table.c.id
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        return query

    def get(self, record_id: str) -> Row:
        """The live record; :class:`DeletedError` if it was deleted, else NotFoundError."""
        with self._reader.connect() as c:
            return self._get(c, record_id)

    def read(self, record_id: str) -> tuple[Row, builtins.list[dict[str, Any]]]:
        """:meth:`get` and :meth:`history` on one connection."""
        with self._reader.connect() as c:
            return self._get(c, record_id), self._history(c, record_id)

    def _get(self, c: Any, record_id: str) -> Row:
        row = c.execute(sa.select(records_table).where(records_table.c.id == record_id)).first()
        if row is None:
            raise NotFoundError(record_id)
        if row.deleted_at is not None:
            raise DeletedError(record_id, row.version, row.deleted_at)
        return self._row(row)

    def history(self, record_id: str) -> builtins.list[dict[str, Any]]:
        """Every change of the record, deleted or not (empty if it never existed): version,
        action (create, update, review, delete, restore), time, author, the fields an update
        changed (``changes``: field, old, new) and the record as it was."""
        with self._reader.connect() as c:
            return self._history(c, record_id)

    @staticmethod
    def _history(c: Any, record_id: str) -> builtins.list[dict[str, Any]]:
        query = (
            sa.select(history_table)
            .where(history_table.c.record_id == record_id)
            .order_by(history_table.c.seq)
        )
        entries = []
        before: dict[str, Any] | None = None
        for h in c.execute(query):
            data = json.loads(h.data) if h.data else None
            if h.action == "update" and before is not None and data is not None:
                found = changes(before, data)
            elif h.action == "review":
                found = [{"field": "reviewed", "old": False, "new": True}]
            else:
                found = []
            entries.append(
                {
                    "version": h.version,
                    "action": h.action,
                    "at": h.at.isoformat(timespec="seconds"),
                    "author": h.author,
                    "changes": found,
                    "record": data,
                }
            )
            before = data if data is not None else before
        return entries

    # --- writing (each in one transaction, with its history row) ---------------------------

    @staticmethod
    def _values(record: Record, version: int, reviewed: bool = False) -> dict[str, Any]:
        return {
            "id": record.id,
            "version": version,
            "name": record.name,
            "date": record.date,
            "year": record.year,
            "domain": record.domain,
            "confidence": record.confidence,
            "flop": record.flop,
            "data": json.dumps(record.model_dump(mode="json")),
            "updated_at": _now(),
            "deleted_at": None,
            "reviewed": reviewed,
        }

    def _log(
        self,
        c: Any,
        record_id: str,
        version: int,
        action: str,
        data: str | None,
        author: str | None,
    ) -> None:
        c.execute(
            history_table.insert().values(
                record_id=record_id,
                version=version,
                action=action,
                at=_now(),
                data=data,
                author=author,
            )
        )

    @staticmethod
    def _current(c: Any, record_id: str) -> Any:
        return c.execute(
            sa.select(
                records_table.c.version, records_table.c.deleted_at, records_table.c.data
            ).where(records_table.c.id == record_id)
        ).first()

    def create(self, record: Record, *, author: str | None = None, reviewed: bool = False) -> Row:
        """Add a record (unreviewed unless ``reviewed``), by ``author``; its id must be new
        (:class:`DuplicateError` otherwise), or belong to a deleted record (which it replaces,
        at the next version: versions never repeat)."""
        values = self._values(record, 0, reviewed)
        try:
            with self.engine.begin() as c:
                current = self._current(c, record.id)
                if current is None:
                    last = c.execute(
                        sa.select(sa.func.max(history_table.c.version)).where(
                            history_table.c.record_id == record.id
                        )
                    ).scalar()
                    version = (last or 0) + 1
                    c.execute(records_table.insert().values({**values, "version": version}))
                elif current.deleted_at is not None:
                    version = current.version + 1
                    result = c.execute(
                        records_table.update()
                        .where(records_table.c.id == record.id)
                        .where(records_table.c.version == current.version)
                        .values({**values, "version": version})
                    )
                    if result.rowcount != 1:
                        raise ConflictError(record.id, 0, current.version + 1)
                else:
                    raise DuplicateError(record.id, _name(current.data), current.version)
                self._log(c, record.id, version, "create", values["data"], author)
        except sa.exc.IntegrityError:
            current = self.get(record.id)
            raise DuplicateError(record.id, current.record.name, current.version) from None
        return self.get(record.id)

    def _change(
        self,
        record_id: str,
        version: int,
        values: dict[str, Any],
        action: str,
        live: bool,
        author: str | None,
    ) -> None:
        """Apply ``values`` if the record is at ``version`` (and live, or deleted)."""
        with self.engine.begin() as c:
            state = LIVE if live else records_table.c.deleted_at.is_not(None)
            result = c.execute(
                records_table.update()
                .where(records_table.c.id == record_id)
                .where(records_table.c.version == version)
                .where(state)
                .values(version=version + 1, **values)
            )
            if result.rowcount != 1:
                current = self._current(c, record_id)
                if current is None:
                    raise NotFoundError(record_id)
                if (current.deleted_at is None) != live:
                    if live:
                        raise DeletedError(record_id, current.version, current.deleted_at)
                    raise ConflictError(record_id, version, current.version)
                raise ConflictError(record_id, version, current.version)
            data = values.get("data") or self._current(c, record_id).data
            self._log(c, record_id, version + 1, action, data, author)

    def update(
        self, record_id: str, record: Record, version: int, *, author: str | None = None
    ) -> Row:
        """Replace a record if it is still at ``version``; an edited record is unreviewed."""
        if record.id != record_id:
            raise InputError("id", "a record's id cannot change")
        values = self._values(record, version + 1)
        del values["version"]
        self._change(record_id, version, values, "update", live=True, author=author)
        return self.get(record_id)

    def review(self, record_id: str, version: int, *, author: str | None = None) -> Row:
        """Mark a record reviewed if it is still at ``version`` (a new version)."""
        self._change(record_id, version, {"reviewed": True, "updated_at": _now()},
                     "review", live=True, author=author)  # fmt: skip
        return self.get(record_id)

    def delete(self, record_id: str, version: int, *, author: str | None = None) -> int:
        """Delete a record at ``version`` (softly: :meth:`restore` undoes it); returns the
        deleted record's version."""
        self._change(record_id, version, {"deleted_at": _now(), "updated_at": _now()},
                     "delete", live=True, author=author)  # fmt: skip
        return version + 1

    def restore(self, record_id: str, version: int, *, author: str | None = None) -> Row:
        """Bring back a deleted record (``version`` is its deleted version), at a new version."""
        self._change(record_id, version, {"deleted_at": None, "updated_at": _now()},
                     "restore", live=False, author=author)  # fmt: skip
        return self.get(record_id)

    def seed_if_empty(self) -> int:
        """Fill an empty store with the embedded dataset; returns how many records it has."""
        from aicompute.dataset import read_embedded

        with self._lock:
            with self.engine.connect() as c:
                empty = c.execute(sa.select(history_table.c.seq).limit(1)).first() is None
            if empty:
                records = read_embedded().records
                with self.engine.begin() as c:
                    c.execute(
                        records_table.insert(), [self._values(r, 1, reviewed=True) for r in records]
                    )
                    c.execute(
                        history_table.insert(),
                        [
                            {
                                "record_id": r.id,
                                "version": 1,
                                "action": "create",
                                "at": _now(),
                                "data": json.dumps(r.model_dump(mode="json")),
                            }
                            for r in records
                        ],
                    )
        return self.count()


def _name(data: str) -> str:
    """A stored record's name (its id's owner, for a duplicate's message)."""
    try:
        return str(json.loads(data)["name"])
    except (ValueError, KeyError, TypeError):
        return "?"


def _parse(data: str) -> _Parsed:
    """A stored record, and its stored calculations that no longer validate (left out of
    the record, each with its ``reason``): a record written by an older version whose
    calculation inputs are not accepted any more is still served."""
    from pydantic import ValidationError

    from aicompute.dataset import EstimateInputs

    raw = json.loads(data)
    try:
        return Record.model_validate(raw), ()
    except ValidationError:
        estimates = raw.get("estimates") if isinstance(raw, dict) else None
        if not isinstance(estimates, builtins.list) or not estimates:
            raise
    good, bad = [], []
    for stored in estimates:
        try:
            good.append(EstimateInputs.model_validate(stored))
        except ValidationError as error:
            reason = error.errors()[0]["msg"].removeprefix("Value error, ")
            shown = stored if isinstance(stored, dict) else {"inputs": stored}
            bad.append({**shown, "reason": reason})
    return Record.model_validate({**raw, "estimates": good}), tuple(bad)


def changes(old: dict[str, Any], new: dict[str, Any]) -> builtins.list[dict[str, Any]]:
    """The fields that differ between two versions of a record (dotted paths into the
    calculations, numbers equal to 12 digits counted as unchanged).

    >>> changes({"flop": 1e20, "notes": ""}, {"flop": 1.0000000000001e20, "notes": "hi"})
    [{'field': 'notes', 'old': '', 'new': 'hi'}]
    >>> changes({"estimates": [{"method": "hardware", "inputs": {"days": "5"}}]},
    ...         {"estimates": [{"method": "hardware", "inputs": {"days": "6"}}]})
    [{'field': 'estimates.0.inputs.days', 'old': '5', 'new': '6'}]
    """
    import math

    before, after = _flat(old), _flat(new)
    found = []
    for key in [*before, *(k for k in after if k not in before)]:
        a, b = before.get(key), after.get(key)
        same = a == b
        if not same and isinstance(a, float | int) and isinstance(b, float | int):
            same = not isinstance(a, bool) and math.isclose(a, b, rel_tol=1e-12)
        if not same and all(v is None or v == "" or v is False for v in (a, b)):
            same = True  # an empty optional field, absent or blank
        if not same:
            found.append({"field": key, "old": a, "new": b})
    return found


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A record's fields as dotted paths: lists of calculations by index, lists of text whole."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}{key}."))
        return out or ({prefix[:-1]: {}} if prefix else {})
    if isinstance(value, builtins.list) and any(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            out.update(_flat(item, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: value}


def _safe(url: str) -> str:
    """The URL without a password."""
    return url.split("@")[-1] if "@" in url else url
