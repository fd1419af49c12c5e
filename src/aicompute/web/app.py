"""The local web app: explorer, records, calculator and editing, over a JSON API.

The API uses the same field names as the command line's ``--json``. Input is validated at the
edge (422 with the field and message), a stale edit is refused with 409, a database that cannot
be used answers 503, and every page escapes what it shows. Who may call the app, and how much
one request may ask, is :mod:`aicompute.web.security`'s job.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import anyio
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from aicompute import __version__
from aicompute.dataset import Record
from aicompute.dataset.record import ID_PATTERN
from aicompute.errors import InputError
from aicompute.store import ConflictError, DeletedError, NotFoundError, Store
from aicompute.web.security import Guard, Settings

__all__ = ["Settings", "app_from_env", "create_app"]

DERIVED = {"version", "year", "pfs_days", "updated_at", "history"}
"""Fields the API adds to a record; ignored when a client sends a record back."""
ANALYSIS_MAX_AGE = 1.0
"""Seconds a fit or chart may lag the latest writes (record reads and writes never lag)."""
MAX_VERSION = 2**31 - 1
"""Versions fit a 32-bit integer column on every database."""
MAX_DEPTH = 32
"""Nesting of a JSON body (a record is 4 deep)."""
MAX_DIGITS = 30
"""Digits of an integer in a JSON body (2^63 has 19)."""
WEB_BOOTSTRAP = 5000
"""Bootstrap resamples one web fit may ask for (the explorer asks 500)."""
WEB_SEED = 2**32 - 1
"""Largest bootstrap seed on the web (numpy's own seed range)."""
RecordId = Path(..., max_length=200, description="The record's id.")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def _unprocessable(loc: list[Any], message: str) -> HTTPException:
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


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _unprocessable(["body"], "expected a JSON object")
    return body


def _record_from(body: Any) -> Record:
    body = _object(body)
    try:
        record = Record.model_validate({k: v for k, v in body.items() if k not in DERIVED})
    except ValidationError as error:
        raise HTTPException(422, _errors(error)) from None
    _check_estimates(record)
    return record


def _check_estimates(record: Record) -> None:
    """Stored estimate inputs must compute: a record never holds inputs its page cannot show."""
    from aicompute.estimation import estimate_from
    from aicompute.estimation.inputs import render

    for i, e in enumerate(record.estimates):
        try:
            estimate_from(e.inputs).by_method(e.method)
        except InputError as error:
            where = ["body", "estimates", i, "inputs", error.field or "inputs"]
            raise _unprocessable(where, render(error.message, "name")) from None


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise _unprocessable(
            ["body", "version"], f"the version you read is required (an integer 1..{MAX_VERSION})"
        )
    return version


def _known(record_id: str) -> str:
    """An id that could exist; any other answers 404 without asking the database."""
    if not re.fullmatch(ID_PATTERN, record_id):
        raise NotFoundError(record_id)
    return record_id


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _unprocessable(["body"], f"the JSON is nested deeper than {MAX_DEPTH} levels")
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


async def _json(request: Request) -> Any:
    """The body as JSON: valid UTF-8, at most :data:`MAX_DEPTH` deep, integers of at most
    :data:`MAX_DIGITS` digits, no NaN or Infinity; anything else answers 422."""
    raw = await request.body()
    try:
        value = json.loads(raw, parse_int=_parse_int, parse_constant=_parse_constant)
    except RecursionError:
        raise _unprocessable(
            ["body"], f"the JSON is nested deeper than {MAX_DEPTH} levels"
        ) from None
    except UnicodeDecodeError:
        raise _unprocessable(["body"], "the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise _unprocessable(["body"], f"the body is not valid JSON ({error.msg})") from None
    except ValueError as error:
        raise _unprocessable(["body"], f"the body is not accepted: {error}") from None
    _check_depth(value)
    return value


def _body_schema(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI for a JSON body the route reads itself (so that its limits apply first)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


def _record_schema(version: bool) -> dict[str, Any]:
    schema = Record.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    schema["properties"]["id"]["pattern"] = f"^{ID_PATTERN}$"
    if version:
        schema["properties"]["version"] = {"type": "integer", "minimum": 1}
        schema["required"] = [*schema.get("required", []), "version"]
    return schema


def _estimate_schema() -> dict[str, Any]:
    from aicompute.estimation import FIELDS

    value = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}
    return {
        "type": "object",
        "properties": {name: {**value, "description": f.help} for name, f in FIELDS.items()},
        "additionalProperties": False,
    }


ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Refused: host, origin, token or CSRF check"},
    413: {"description": "The body is over the limit"},
    415: {"description": "The body is not JSON"},
    422: {"description": "Invalid input, naming the field"},
    503: {"description": "The database is unavailable, or a computation ran over its limit"},
}


@dataclass
class Filters:
    """The record filters every list, export, fit and chart endpoint takes."""

    search: str | None = Query(None, max_length=200)
    domain: str | None = Query(None, max_length=200)
    since: str | None = Query(None, max_length=10)
    until: str | None = Query(None, max_length=10)
    confidence: str | None = Query(None, max_length=100)
    frontier: str | None = Query(None, max_length=40)

    def values(self) -> tuple[str | None, ...]:
        return (self.search, self.domain, self.since, self.until, self.confidence, self.frontier)


def create_app(
    db: str | None = None, *, seed: bool = True, settings: Settings | None = None
) -> FastAPI:
    """The app over the store at ``db`` (default: SQLite in the user data directory), filled
    with the embedded dataset on first run, served under ``settings``."""
    settings = settings or Settings()
    store = Store(db)
    if seed:
        store.seed_if_empty()
    app = FastAPI(
        title="aicompute",
        version=__version__,
        description="Training compute of AI systems: records, estimates, trends.",
        responses=ERRORS,
    )
    app.state.store = store
    app.state.settings = settings
    app.add_middleware(Guard, settings=settings)
    heavy = anyio.CapacityLimiter(settings.heavy_workers)
    _warm(store)

    async def compute(function: Callable[..., Any], *args: Any) -> Any:
        """Run CPU-heavy work in a worker thread (the event loop keeps serving), at most
        ``heavy_workers`` at once, answering 503 past the time limit."""
        try:
            with anyio.fail_after(settings.time_limit):
                return await anyio.to_thread.run_sync(
                    function, *args, limiter=heavy, abandon_on_cancel=True
                )
        except TimeoutError:
            raise HTTPException(
                503, f"the computation took longer than {settings.time_limit:g} s; ask for less"
            ) from None

    async def db_call(function: Callable[..., Any], *args: Any) -> Any:
        """A write in a worker thread: a database waiting on a lock never blocks the loop."""
        return await anyio.to_thread.run_sync(function, *args)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            spec = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            defs = Record.model_json_schema(ref_template="#/components/schemas/{model}")
            spec.setdefault("components", {}).setdefault("schemas", {}).update(
                defs.get("$defs", {})
            )
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(InputError)
    async def _input_error(_: Request, error: InputError) -> JSONResponse:
        from aicompute.estimation.inputs import FIELDS, render

        field = FIELDS.get(error.field or "")
        label = field.label if field else error.field
        text = render(error.message, "label")
        return JSONResponse(
            {
                "detail": [
                    {
                        "loc": ["body", error.field or "input"],
                        "msg": render(error.message, "name"),
                        "label": label,
                        "text": f"{label}: {text}" if label else text,
                    }
                ]
            },
            status_code=422,
        )

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, error: ConflictError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error), "current_version": error.current}, status_code=409
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, error: NotFoundError) -> Response:
        if not request.url.path.startswith("/api/"):
            return page(
                "error.html.j2",
                status=404,
                title="No such record",
                message=f"There is no record {error.args[0]!r}.",
            )
        if isinstance(error, DeletedError):
            return JSONResponse(
                {
                    "detail": f"record {error.record_id!r} was deleted (version {error.version});"
                    f" restore it with POST /api/records/{error.record_id}/restore "
                    f'and {{"version": {error.version}}}',
                    "deleted": True,
                    "version": error.version,
                },
                status_code=404,
            )
        return JSONResponse({"detail": f"no record {error.args[0]!r}"}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]},
            status_code=422,
        )

    @app.exception_handler(sa.exc.DBAPIError)
    async def _database(_: Request, error: sa.exc.DBAPIError) -> JSONResponse:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        if isinstance(error, (sa.exc.DataError, sa.exc.IntegrityError)):
            return JSONResponse(
                {"detail": [{"loc": ["body"], "msg": f"the database refused it: {reason}"}]},
                status_code=422,
            )
        return JSONResponse(
            {"detail": f"the database is unavailable: {reason}"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    def filtered(
        search: str | None,
        domain: str | None,
        since: str | None,
        until: str | None,
        confidence: str | None,
        frontier: str | None,
    ) -> tuple[Any, Any]:
        """The records passing the filters, as (frame, rows); the full frame is cached per
        store revision, so reads and fits do not rebuild it."""
        from aicompute.trends import select

        _, frame, by_id = store.frame(max_age=ANALYSIS_MAX_AGE)
        if search:
            frame = frame[frame["name"].str.contains(search, case=False, regex=False)]
        frame = select(
            frame,
            since=since,
            until=until,
            domain=domain,
            confidence=confidence,
            frontier_rule=frontier,
        )
        return frame, [by_id[i] for i in frame["id"]]

    fits: dict[tuple[Any, ...], dict[str, Any]] = {}

    def sql_filters(f: Filters) -> dict[str, Any]:
        """The filters as the store's SQL query takes them (without a frontier rule)."""
        from aicompute.dataset import CONFIDENCES, DOMAINS
        from aicompute.trends.select import _bounds, _choices

        low = _bounds(f.since, "since", end=False)
        high = _bounds(f.until, "until", end=True)
        if low is not None and high is not None and low > high:
            raise InputError("since", f"{f.since} is after until {f.until}")
        return {
            "search": f.search,
            "since": low,
            "until": high,
            "domain": _choices(f.domain, DOMAINS, "domain") if f.domain else None,
            "confidence": (
                _choices(f.confidence, CONFIDENCES, "confidence") if f.confidence else None
            ),
        }

    def rows_for(f: Filters, limit: int | None = None, offset: int = 0) -> tuple[list[Any], int]:
        """A page of the filtered rows and how many there are: straight from SQL, unless a
        frontier rule needs the whole frame."""
        if f.frontier:
            rows = filtered(*f.values())[1]
            end = None if limit is None else offset + limit
            return rows[offset:end], len(rows)
        where = sql_filters(f)
        rows = store.list(**where, limit=limit, offset=offset)
        total = len(rows) if limit is None else store.count(**where)
        return rows, total

    # --- API -------------------------------------------------------------------------------

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "records": store.count(),
            "db": store.engine.dialect.name,
        }

    @app.get("/api/records")
    def list_records(
        request: Request,
        response: Response,
        f: Filters = Depends(),
        limit: int = Query(settings.page_size, ge=1, le=settings.max_page_size),
        offset: int = Query(0, ge=0, le=MAX_VERSION),
    ) -> list[dict[str, Any]]:
        """A page of records (``limit`` at a time, from ``offset``); ``X-Total-Count`` says how
        many match, and a ``Link`` header with ``rel="next"`` points to the next page."""
        rows, total = rows_for(f, limit, offset)
        response.headers["X-Total-Count"] = str(total)
        if offset + limit < total:
            following = request.url.include_query_params(offset=offset + limit, limit=limit)
            response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
        return _clean([r.to_dict() for r in rows])

    @app.post(
        "/api/records",
        status_code=201,
        openapi_extra=_body_schema(_record_schema(False), {"name": "My model", "date": "2024"}),
    )
    async def create_record(request: Request) -> dict[str, Any]:
        record = await compute(_record_from, await _json(request))
        return _clean((await db_call(store.create, record)).to_dict())

    @app.get("/api/records/{record_id}")
    def read_record(record_id: str = RecordId) -> dict[str, Any]:
        data = store.get(_known(record_id)).to_dict()
        data["history"] = store.history(record_id)
        return _clean(data)

    @app.put(
        "/api/records/{record_id}",
        openapi_extra=_body_schema(
            _record_schema(True), {"name": "My model", "date": "2024", "version": 1}
        ),
    )
    async def update_record(request: Request, record_id: str = RecordId) -> dict[str, Any]:
        body = _object(await _json(request))
        version = _version(body)
        _known(record_id)
        record = await compute(_record_from, {**body, "id": body.get("id") or record_id})
        return _clean((await db_call(store.update, record_id, record, version)).to_dict())

    @app.delete("/api/records/{record_id}", status_code=204)
    def delete_record(
        record_id: str = RecordId, version: int = Query(..., ge=1, le=MAX_VERSION)
    ) -> Response:
        """Delete (softly: ``POST /api/records/{id}/restore`` brings it back)."""
        store.delete(_known(record_id), version)
        return Response(status_code=204)

    @app.post(
        "/api/records/{record_id}/restore",
        openapi_extra=_body_schema(
            {
                "type": "object",
                "properties": {"version": {"type": "integer", "minimum": 1}},
                "required": ["version"],
            },
            {"version": 2},
        ),
    )
    async def restore_record(request: Request, record_id: str = RecordId) -> dict[str, Any]:
        """Undo a delete: ``version`` is the deleted record's version (the delete's 404 says
        it)."""
        version = _version(_object(await _json(request)))
        return _clean((await db_call(store.restore, _known(record_id), version)).to_dict())

    @app.get("/api/records/{record_id}/history")
    def record_history(record_id: str = RecordId) -> list[dict[str, Any]]:
        """Every change of a record, deleted or not."""
        history = store.history(_known(record_id))
        if not history:
            raise NotFoundError(record_id)
        return history

    @app.get("/api/export")
    def export(
        format: str = Query("csv", pattern="^(csv|json)$"),
        f: Filters = Depends(),
    ) -> Response:
        from aicompute.dataset.io import csv_text

        rows, _ = rows_for(f)
        if format == "json":
            return JSONResponse(
                _clean([r.to_dict() for r in rows]),
                headers={"Content-Disposition": 'attachment; filename="records.json"'},
            )
        return Response(
            csv_text([r.record for r in rows]),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="records.csv"'},
        )

    @app.post(
        "/api/estimate",
        openapi_extra=_body_schema(_estimate_schema(), {"params": "175B", "tokens": "300B"}),
    )
    async def estimate(request: Request) -> dict[str, Any]:
        from aicompute.estimation import estimate_from

        body = _object(await _json(request))
        return _clean((await compute(estimate_from, body)).to_dict())

    @app.get("/api/estimate/inputs")
    def estimate_inputs() -> list[dict[str, Any]]:
        from dataclasses import asdict

        from aicompute.estimation import FIELDS

        return [asdict(f) | {"flag": f.flag} for f in FIELDS.values()]

    @app.get("/api/fit")
    async def fit(
        f: Filters = Depends(),
        bootstrap: int = Query(1000, ge=0, le=WEB_BOOTSTRAP),
        seed: int = Query(0, ge=0, le=WEB_SEED),
    ) -> dict[str, Any]:
        from aicompute.trends import fit_frame

        def run() -> dict[str, Any]:
            key = (store.frame(max_age=ANALYSIS_MAX_AGE)[0], *f.values(), bootstrap, seed)
            if key not in fits:
                frame, _ = filtered(*f.values())
                if len(fits) > 256:
                    fits.clear()
                fits[key] = _clean(fit_frame(frame, bootstrap=bootstrap, seed=seed).to_dict())
            return fits[key]

        result: dict[str, Any] = await compute(run)
        return result

    @app.get("/api/chart/{name}")
    async def chart(
        name: str = Path(..., max_length=40),
        f: Filters = Depends(),
        flop: str | None = Query(None, max_length=60),
        date: str | None = Query(None, max_length=10),
        label: str = Query("Your estimate", max_length=100),
    ) -> dict[str, Any]:
        from aicompute import charts

        if name not in {*charts.CHARTS, "estimate", "forecast", "cost"}:
            raise HTTPException(
                404, f"no chart {name!r}; use eras, modern, domains, estimate, forecast, cost"
            )
        result: dict[str, Any] = await compute(draw_chart, name, f, flop, date, label)
        return result

    def draw_chart(
        name: str, f: Filters, flop: str | None, date: str | None, label: str
    ) -> dict[str, Any]:
        from aicompute import charts, trends
        from aicompute.units import parse_flop

        estimate_at = charts.estimate_point(flop, date) if name == "estimate" else None
        frame, _ = filtered(*f.values())
        if name in {"forecast", "cost"}:
            from aicompute import economics

            target = parse_flop(flop, "target") if flop else None
            forecast = trends.forecast_frame(frame, until=2030, target=target, bootstrap=500)
            if name == "forecast":
                rows = trends.select_trend(frame, "frontier")
                return _clean(charts.forecast_chart(rows, forecast).spec)
            _, price_fit = economics.price_performance()
            years = [y + 0.5 for y in range(int(forecast.fit.since), 2031)]
            costs = [
                {"year": y, "usd": u}
                for y, u in zip(
                    years, economics.run_cost_usd(forecast.fit, price_fit, years), strict=True
                )
            ]
            return _clean(charts.cost_chart(costs, economics.limits(forecast.fit, price_fit)).spec)
        analysis = trends.analyze(frame, bootstrap=200)
        if estimate_at is not None and date is not None:
            return _clean(charts.estimate_chart(analysis, estimate_at, date, label).spec)
        return _clean(charts.CHARTS[name](analysis).spec)

    @app.get("/api/hardware")
    def hardware_list(search: str | None = Query(None, max_length=100)) -> list[dict[str, Any]]:
        from aicompute.hardware import all_accelerators

        return [
            a.to_dict()
            for a in all_accelerators()
            if not search or search.lower() in a.name.lower()
        ]

    @app.get("/api/hardware/{name}")
    def hardware_show(name: str = Path(..., max_length=200)) -> dict[str, Any]:
        from aicompute.hardware import get

        return get(name).to_dict()

    # --- pages -----------------------------------------------------------------------------

    def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(
            _page(template, csrf_token=settings.csrf_token, **context), status_code=status
        )

    @app.get("/", response_class=HTMLResponse)
    def explorer() -> HTMLResponse:
        return page("explorer.html.j2", title="Explorer")

    @app.get("/records", response_class=HTMLResponse)
    def records_page() -> HTMLResponse:
        return page("records.html.j2", title="Records")

    @app.get("/records/new", response_class=HTMLResponse)
    def new_record() -> HTMLResponse:
        return page("edit.html.j2", title="New record", row=None, estimates_json="[]")

    @app.get("/records/{record_id}", response_class=HTMLResponse)
    async def record_page(record_id: str = RecordId) -> HTMLResponse:
        try:
            row = store.get(_known(record_id))
        except DeletedError as gone:
            return page(
                "deleted.html.j2",
                status=404,
                title="Deleted record",
                record_id=gone.record_id,
                deleted_version=gone.version,
                history=store.history(record_id),
            )
        calcs = await compute(_calculations, row)
        return page(
            "record.html.j2",
            title=row.record.name,
            row=row,
            calcs=calcs,
            history=store.history(record_id),
        )

    @app.get("/records/{record_id}/edit", response_class=HTMLResponse)
    def edit_record(record_id: str = RecordId) -> HTMLResponse:
        row = store.get(_known(record_id))
        estimates = json.dumps([e.model_dump() for e in row.record.estimates], indent=1)
        return page(
            "edit.html.j2", title=f"Edit {row.record.name}", row=row, estimates_json=estimates
        )

    @app.get("/calculator", response_class=HTMLResponse)
    def calculator() -> HTMLResponse:
        from aicompute.estimation import FIELDS

        groups = [
            (legend, [f for f in FIELDS.values() if f.method == method])
            for method, legend in (
                ("operations", "Method 1: counting operations"),
                ("hardware", "Method 2: hardware time"),
                ("both", "Adjustment"),
            )
        ]
        return page("calculator.html.j2", title="Calculator", groups=groups)

    @app.get("/static/{name}")
    def static(name: str = Path(..., max_length=40)) -> Response:
        if name == "vega.js":
            from aicompute.charts import vega_bundle

            return Response(
                vega_bundle(),
                media_type="text/javascript",
                headers={"Cache-Control": "max-age=86400"},
            )
        files = resources.files("aicompute.web").joinpath("static")
        if name not in {"app.js", "app.css"}:
            raise HTTPException(404, "no such file")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(files.joinpath(name).read_text("utf-8"), media_type=media)

    return app


def _calculations(row: Any) -> list[dict[str, Any]]:
    """Each stored estimate, computed again for the record's page (an error shows as text)."""
    from aicompute.estimation import estimate_from
    from aicompute.estimation.inputs import render

    calcs = []
    for e in row.record.estimates:
        try:
            est = estimate_from(e.inputs).by_method(e.method)
            calcs.append({"method": e.method, "est": est, "note": e.note, "error": None})
        except InputError as error:
            message = render(str(error), "label")
            calcs.append({"method": e.method, "est": None, "note": e.note, "error": message})
    return calcs


def _warm(store: Store) -> None:
    """Load the analysis libraries and the records once at start, so that the first requests
    do not pay for imports and parsing while others wait."""
    from aicompute.trends import fit_frame

    _, frame, _ = store.frame()
    if len(frame) >= 3:
        with contextlib.suppress(InputError):
            fit_frame(frame, bootstrap=10)


def app_from_env() -> FastAPI:
    """The app for a worker process: the store URL and the settings come from the environment
    that ``aicompute serve`` set (it has already migrated and seeded the store)."""
    import os

    settings = Settings(
        host=os.environ.get("AICOMPUTE_HOST", "127.0.0.1"),
        allowed_hosts=tuple(
            h for h in os.environ.get("AICOMPUTE_ALLOWED_HOSTS", "").split(",") if h
        ),
        token=os.environ.get("AICOMPUTE_TOKEN") or None,
        csrf_secret=os.environ["AICOMPUTE_CSRF_SECRET"],
    )
    return create_app(os.environ.get("AICOMPUTE_DB"), seed=False, settings=settings)


@functools.lru_cache(maxsize=1)
def _templates() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicompute.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["sig"] = lambda v, d=3: "–" if v is None else f"{v:.{d}g}"
    return env


def _page(template: str, **context: Any) -> str:
    from aicompute.charts import safe_json
    from aicompute.dataset import CONFIDENCES, DOMAINS

    env = _templates()
    return env.get_template(template).render(
        version=__version__,
        domains=DOMAINS,
        confidences=CONFIDENCES,
        safe_json=safe_json,
        **context,
    )
