"""What the routes share: the app's state (store, settings, the limiter of heavy work, the fit
cache), the thread runner with its time limit, the filters, and reading a JSON body within its
limits. The state lives on ``app.state``; routes reach it through ``request.app.state`` or the
dependencies here."""

from __future__ import annotations

import inspect
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from typing import Any

import anyio
from fastapi import HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from aicompute.dataset import Record
from aicompute.dataset.record import ID_PATTERN
from aicompute.errors import InputError
from aicompute.jsonable import plain
from aicompute.store import NotFoundError, Row, Store
from aicompute.threshold.dataset import DEFAULT_FLOPS, LIKELY, at_least, p_above, p_field
from aicompute.trends.fields import FILTER_FIELDS
from aicompute.trends.selection import RecordFilter, frontier
from aicompute.web.security import Settings

P_ABOVE = DEFAULT_FLOPS
"""The thresholds whose probabilities every record's JSON carries (``p_above_1e25``,
``p_above_1e26``)."""
DERIVED = {
    "version", "year", "pfs_days", "updated_at", "history", "reviewed", "unsourced",
    *(p_field(flop) for flop in P_ABOVE),
}  # fmt: skip
"""Fields the API adds to a record; ignored when a client sends a record back."""
NUMBERS = ("flop", "low_flop", "high_flop")
"""A record's FLOP fields, read from text as the command line reads them (``3e24 FLOP``,
``3640 pfs-days``)."""
USER_CONFIDENCE = "speculative"
"""The confidence of a record written through the web without one."""
AUTHOR_LIMIT = 100
"""Longest author name."""
ANALYSIS_MAX_AGE = 1.0
"""Seconds a fit or chart may lag the latest writes (record reads and writes never lag)."""
MAX_VERSION = 2**31 - 1
"""Versions fit a 32-bit integer column on every database."""
MAX_DEPTH = 32
"""Nesting of a JSON body (a record is 4 deep)."""
MAX_DIGITS = 30
"""Digits of an integer in a JSON body (2^63 has 19)."""
MAX_FITS = 256
"""Fits the cache keeps before it starts again."""
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Refused: host, origin, token or CSRF check"},
    413: {"description": "The body is over the limit"},
    415: {"description": "The body is not JSON"},
    422: {"description": "Invalid input, naming the field"},
    503: {"description": "The database is unavailable, or a computation ran over its limit"},
}
"""The error answers every route may give (for the OpenAPI)."""
RecordId = Path(..., max_length=200, description="The record's id.")


def get_store(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


async def store_dependency(request: Request) -> Store:
    """:func:`get_store` for ``Depends``: a coroutine, so FastAPI calls it on the event loop
    (a plain function would cost a hand-off to a worker thread on every request)."""
    return get_store(request)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def compute(request: Request, function: Callable[..., Any], *args: Any) -> Any:
    """Run CPU-heavy work in a worker thread (the event loop keeps serving), at most
    ``heavy_workers`` at once, answering 503 past the time limit."""
    state = request.app.state
    limit = state.settings.time_limit
    try:
        with anyio.fail_after(limit):
            return await anyio.to_thread.run_sync(
                function, *args, limiter=state.limiter, abandon_on_cancel=True
            )
    except TimeoutError:
        raise HTTPException(
            503, f"the computation took longer than {limit:g} s; ask for less"
        ) from None


async def db_call(function: Callable[..., Any], *args: Any) -> Any:
    """A write in a worker thread: a database waiting on a lock never blocks the loop."""
    return await anyio.to_thread.run_sync(function, *args)


# --- filters -------------------------------------------------------------------------------

Filters = make_dataclass(
    "Filters",
    [
        *[
            (
                f.name,
                str | None,
                field(default=Query(None, max_length=f.max_length, description=f.help)),
            )
            for f in FILTER_FIELDS
        ],
        (
            "unreviewed",
            bool,
            field(
                default=Query(
                    False,
                    description="Include records added or edited on the web that nobody has "
                    "reviewed yet (left out by default).",
                )
            ),
        ),
        (
            "above",
            str | None,
            field(
                default=Query(
                    None,
                    max_length=60,
                    description="Only records whose training compute is above this threshold "
                    "with probability p_min or more: a number of FLOP (1e25) or a threshold's "
                    "key (eu-gpai, eu-systemic, ca-sb53).",
                )
            ),
        ),
        (
            "p_min",
            float | None,
            field(
                default=Query(
                    None,
                    gt=0,
                    le=1,
                    allow_inf_nan=False,
                    description="With `above`: the least probability of being above it "
                    "(0.5 by default).",
                )
            ),
        ),
    ],
)
Filters.__doc__ = """The record filters every list, export, fit and chart endpoint takes (the
query parameters of :data:`aicompute.trends.fields.FILTER_FIELDS`, ``unreviewed``, and
``above`` with ``p_min``)."""


async def filters_dependency(**values: Any) -> Any:
    """:class:`Filters` for ``Depends``, built on the event loop (FastAPI runs a class, like any
    plain callable, on a worker thread: a hand-off per request under load)."""
    return Filters(**values)


filters_dependency.__signature__ = inspect.signature(Filters)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WebFilter(RecordFilter):
    """A :class:`RecordFilter` that also leaves out unreviewed records, unless
    ``unreviewed`` (the store's queries and frames honour it; it is part of the cache key),
    and, with ``above`` (FLOP), the records whose compute is above it with probability less
    than ``p_min``. That needs Python, not SQL: such a filter reads the whole frame, as a
    frontier rule does (:attr:`needs_frame`)."""

    unreviewed: bool = False
    above: float | None = None
    p_min: float = LIKELY

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.above is not None and not (self.above > 0 and math.isfinite(self.above)):
            raise InputError("above", f"give a positive number of FLOP, got {self.above!r}")
        if not 0 < self.p_min <= 1:
            raise InputError("p_min", f"give a probability above 0 and at most 1, got {self.p_min}")

    @property
    def needs_frame(self) -> bool:
        """Whether the filter needs every record (a frontier rule, a threshold), not SQL."""
        return bool(self.frontier) or self.above is not None

    def apply(self, frame: Any, *, with_frontier: bool = True) -> Any:
        """The rows of a records frame that pass: the other filters, then the threshold, then
        the frontier rule (among the records above the threshold)."""
        out = super().apply(frame, with_frontier=False)
        if self.above is not None:
            out = out[self.above_mask(out)]
        if with_frontier and self.frontier:
            out = frontier(out, self.frontier)
        return out

    def above_mask(self, frame: Any) -> list[bool]:
        """For each row of ``frame``: whether its compute is above :attr:`above` with
        probability :attr:`p_min` or more (as :func:`~aicompute.threshold.dataset.p_above`
        computes it; a record without compute never is)."""
        from aicompute.threshold import Reported

        assert self.above is not None
        keep = []
        columns = (frame["flop"], frame["low_flop"], frame["high_flop"])
        for flop, low, high in zip(*columns, strict=True):
            if not flop > 0:  # NaN: no compute
                keep.append(False)
                continue
            p = Reported(float(flop), float(low), float(high), "").p_exceed(self.above)
            keep.append(bool(at_least(p, self.p_min)))
        return keep


def record_filter(f: Any) -> WebFilter:
    """The validated filter of a request's :class:`Filters` (422 naming the field)."""
    above = getattr(f, "above", None)
    p_min = getattr(f, "p_min", None)
    if p_min is not None and not above:
        raise unprocessable(["query", "p_min"], "goes with `above` (a threshold); give both")
    flop = None
    if above:
        from aicompute.threshold import threshold

        try:
            flop = threshold(above).flop
        except InputError as error:
            raise unprocessable(["query", "above"], error.message) from None
    return WebFilter(
        **{each.name: getattr(f, each.name) for each in FILTER_FIELDS},
        unreviewed=bool(getattr(f, "unreviewed", False)),
        above=flop,
        p_min=LIKELY if p_min is None else float(p_min),
    )


def filtered(
    store: Store, chosen: RecordFilter, max_age: float = ANALYSIS_MAX_AGE
) -> tuple[Any, list[Row]]:
    """The records passing the filter, as (frame, rows); the full frame is cached per store
    revision, so reads and fits do not rebuild it (fits and charts may use one up to
    ``max_age`` seconds old). Unreviewed records are left out unless the filter asks for them
    (a plain :class:`RecordFilter` keeps them)."""
    unreviewed = getattr(chosen, "unreviewed", True)
    _, frame, by_id = store.frame(max_age=max_age, unreviewed=unreviewed)
    frame = chosen.apply(frame)
    return frame, [by_id[i] for i in frame["id"]]


def rows_for(
    store: Store, chosen: RecordFilter, limit: int | None = None, offset: int = 0
) -> tuple[list[Row], int]:
    """A page of the filtered rows and how many there are: straight from SQL, unless a
    frontier rule or a threshold needs the whole frame (the current one: record reads never
    lag writes)."""
    if getattr(chosen, "needs_frame", chosen.frontier):
        rows = filtered(store, chosen, max_age=0.0)[1]
        end = None if limit is None else offset + limit
        return rows[offset:end], len(rows)
    if limit is None:
        rows = store.list(chosen, offset=offset)
        return rows, len(rows)
    return store.page(chosen, limit=limit, offset=offset)


# --- JSON bodies ---------------------------------------------------------------------------


_ROW_JSON: dict[tuple[Any, ...], bytes] = {}
_ROW_JSON_MAX = 50_000


def _dumps(data: Any) -> bytes:
    """JSON as :class:`JSONResponse` writes it (compact, UTF-8, no NaN)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def record_json(row: Row) -> dict[str, Any]:
    """A record as the API returns it: :meth:`Row.to_dict`, and its probability of being
    above each of :data:`P_ABOVE` (``p_above_1e25``: None without compute), as
    ``aicompute threshold --dataset`` computes it. Every answer that holds a record (lists,
    exports, reads, writes) goes through here."""
    data = row.to_dict()
    for flop in P_ABOVE:
        data[p_field(flop)] = p_above(row.record, flop)
    result: dict[str, Any] = plain(data)
    return result


def row_json(row: Row) -> bytes:
    """:func:`record_json` as JSON, kept per stored version: a version's row never changes
    (versions only grow, and the time written is part of the key), so a records list costs a
    join of bytes, not a conversion and an encoding of every record per request."""
    key = (row.record.id, row.version, row.updated_at, row.reviewed)
    body = _ROW_JSON.get(key)
    if body is None:
        body = _dumps(record_json(row))
        if len(_ROW_JSON) >= _ROW_JSON_MAX:
            _ROW_JSON.clear()
        _ROW_JSON[key] = body
    return body


def rows_response(rows: list[Row], headers: Any = None) -> Response:
    """The JSON list of ``rows``, as :func:`row_json` has each. A plain response: FastAPI
    skips validating it against the route's declared model (which documents it), a copy of
    every nested value that cost most of a records list's time."""
    body = b"[" + b",".join(row_json(r) for r in rows) + b"]"
    return Response(body, media_type="application/json", headers=dict(headers or {}))


def record_response(row: Row, history: list[dict[str, Any]]) -> Response:
    """One record as :func:`row_json` has it, with its ``history`` added as the last field."""
    body = row_json(row)[:-1] + b',"history":' + _dumps(plain(history)) + b"}"
    return Response(body, media_type="application/json")


def unprocessable(loc: list[Any], message: str) -> HTTPException:
    """A 422 naming where in the request the problem is."""
    return HTTPException(422, [{"loc": loc, "msg": message}])


def _errors(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": ["body", *[str(p) for p in e["loc"]]],
            "msg": e["msg"].removeprefix("Value error, "),
            "type": e["type"],
        }
        for e in error.errors()
    ]


def json_object(body: Any) -> dict[str, Any]:
    """``body`` if it is a JSON object, else 422."""
    if not isinstance(body, dict):
        raise unprocessable(["body"], "expected a JSON object")
    return body


def record_from(body: Any) -> Record:
    """The record a client sent (the derived fields ignored), its FLOP fields read as the
    command line reads them, a missing confidence taken as :data:`USER_CONFIDENCE`, its
    domain required (no silent "Other"), its stored calculations checked."""
    body = json_object(body)
    data = {k: v for k, v in body.items() if k not in DERIVED and k != "author"}
    for name in NUMBERS:
        data[name] = _flop_field(name, data.get(name))
    if not data.get("confidence"):
        data["confidence"] = USER_CONFIDENCE
    try:
        record = Record.model_validate(data)
    except ValidationError as error:
        raise HTTPException(422, _errors(error)) from None
    if not str(data.get("domain") or "").strip():  # the form requires it; so does the API
        raise unprocessable(
            ["body", "domain"], "Field required: choose the record's domain (e.g. Language)"
        )
    _check_estimates(record)
    return record


def _flop_field(name: str, value: Any) -> Any:
    """A FLOP field as a number: text read by :func:`aicompute.units.parse_flop`, blank as
    absent; a 422 names the field."""
    from aicompute.units import parse_flop

    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    return parse_flop(value, name)  # InputError: 422 naming the field


def _check_estimates(record: Record) -> None:
    """Stored estimate inputs must compute their method: a record never holds inputs its page
    cannot show. A 422 names the input when it can (``estimates.0.inputs.days``)."""
    from aicompute.errors import InputError
    from aicompute.estimation import FIELDS, estimate_from
    from aicompute.estimation.inputs import render

    for i, stored in enumerate(record.estimates):
        loc: list[Any] = ["body", "estimates", i, "inputs"]
        try:
            result = estimate_from(stored.inputs)
        except InputError as error:
            if error.field in FIELDS:
                raise unprocessable([*loc, error.field], render(error.message, "name")) from None
            raise unprocessable(loc, render(str(error), "name")) from None
        if result.by_method(stored.method) is None:
            missing = result.skipped.get(stored.method, "needs more inputs")
            raise unprocessable(loc, render(f"the {stored.method} inputs: {missing}", "name"))


def author_of(request: Request, body: dict[str, Any] | None = None) -> str:
    """Who makes a change: the body's ``author``, else the ``X-Author`` header (percent-encoded
    UTF-8), else ``AICOMPUTE_AUTHOR`` from the environment, else "anonymous"."""
    import os
    from urllib.parse import unquote

    where: list[Any] = ["body", "author"]
    value: Any = body.get("author") if body else None
    if value is None and "x-author" in request.headers:
        value, where = unquote(request.headers["x-author"]), ["header", "x-author"]
    if value is None or (isinstance(value, str) and not value.strip()):
        value = os.environ.get("AICOMPUTE_AUTHOR", "").strip() or "anonymous"
    if not isinstance(value, str):
        raise unprocessable(where, "the author is a name (text)")
    value = " ".join(value.split())
    if len(value) > AUTHOR_LIMIT or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise unprocessable(
            where, f"the author is a name of at most {AUTHOR_LIMIT} printable characters"
        )
    return value


def version_of(body: dict[str, Any]) -> int:
    """The version the client read (required, 1..:data:`MAX_VERSION`)."""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise unprocessable(
            ["body", "version"], f"the version you read is required (an integer 1..{MAX_VERSION})"
        )
    return version


def known(record_id: str) -> str:
    """An id that could exist; any other answers 404 without asking the database."""
    if not re.fullmatch(ID_PATTERN, record_id):
        raise NotFoundError(record_id)
    return record_id


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise unprocessable(["body"], f"the JSON is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer with more than {MAX_DIGITS} digits")
    return int(text)


def _parse_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


async def json_body(request: Request) -> Any:
    """The body as JSON: valid UTF-8, at most :data:`MAX_DEPTH` deep, integers of at most
    :data:`MAX_DIGITS` digits, no NaN or Infinity; anything else answers 422."""
    raw = await request.body()
    try:
        value = json.loads(raw, parse_int=_parse_int, parse_constant=_parse_constant)
    except RecursionError:
        raise unprocessable(
            ["body"], f"the JSON is nested deeper than {MAX_DEPTH} levels"
        ) from None
    except UnicodeDecodeError:
        raise unprocessable(["body"], "the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise unprocessable(["body"], f"the body is not valid JSON ({error.msg})") from None
    except ValueError as error:
        raise unprocessable(["body"], f"the body is not accepted: {error}") from None
    _check_depth(value)
    return value
