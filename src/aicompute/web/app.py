"""The local web app: explorer, records, calculator and editing, over a JSON API.

The API uses the same field names as the command line's ``--json``; input is validated at the
edge (422 with the field and message), a stale edit is refused with 409, and every page
escapes what it shows.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from aicompute import __version__
from aicompute.dataset import Record
from aicompute.errors import InputError
from aicompute.store import ConflictError, NotFoundError, Store

__all__ = ["app_from_env", "create_app"]

DERIVED = {"version", "year", "pfs_days", "updated_at", "history"}
ANALYSIS_MAX_AGE = 1.0
"""Seconds a fit or chart may lag the latest writes (record reads and writes never lag)."""
"""Fields the API adds to a record; ignored when a client sends a record back."""


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


def _errors(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": ["body", *[str(p) for p in e["loc"]]],
            "msg": e["msg"].removeprefix("Value error, "),
            "type": e["type"],
        }
        for e in error.errors()
    ]


def _record_from(body: Any) -> Record:
    if not isinstance(body, dict):
        raise HTTPException(422, [{"loc": ["body"], "msg": "expected a JSON object"}])
    try:
        return Record.model_validate({k: v for k, v in body.items() if k not in DERIVED})
    except ValidationError as error:
        raise HTTPException(422, _errors(error)) from None


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["body", "version"],
                    "msg": "the version you read is required (a positive integer)",
                }
            ],
        )
    return version


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


def create_app(db: str | None = None, *, seed: bool = True) -> FastAPI:
    """The app over the store at ``db`` (default: SQLite in the user data directory), filled
    with the embedded dataset on first run."""
    store = Store(db)
    if seed:
        store.seed_if_empty()
    app = FastAPI(
        title="aicompute",
        version=__version__,
        description="Training compute of AI systems: records, estimates, trends.",
    )
    app.state.store = store
    _warm(store)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, error: InputError) -> JSONResponse:
        from aicompute.estimation.inputs import field_label, render

        label = field_label(error.field, "label")
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
    async def _not_found(_: Request, error: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": f"no record {error.args[0]!r}"}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]},
            status_code=422,
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

    def rows_for(
        search: str | None,
        domain: str | None,
        since: str | None,
        until: str | None,
        confidence: str | None,
        frontier: str | None,
    ) -> list[Any]:
        """Filtered rows: straight from SQL, unless a frontier rule needs the whole frame."""
        if frontier:
            return filtered(search, domain, since, until, confidence, frontier)[1]
        from aicompute.dataset import CONFIDENCES, DOMAINS
        from aicompute.trends.select import _bounds, _choices

        low, high = _bounds(since, "since", end=False), _bounds(until, "until", end=True)
        if low is not None and high is not None and low > high:
            raise InputError("since", f"{since} is after until {until}")
        return store.list(
            search=search,
            since=low,
            until=high,
            domain=_choices(domain, DOMAINS, "domain") if domain else None,
            confidence=(_choices(confidence, CONFIDENCES, "confidence") if confidence else None),
        )

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
        f: Filters = Depends(),
    ) -> list[dict[str, Any]]:
        return _clean([r.to_dict() for r in rows_for(*f.values())])

    @app.post("/api/records", status_code=201)
    async def create_record(request: Request) -> dict[str, Any]:
        record = _record_from(await _json(request))
        return _clean(store.create(record).to_dict())

    @app.get("/api/records/{record_id}")
    def read_record(record_id: str) -> dict[str, Any]:
        data = store.get(record_id).to_dict()
        data["history"] = store.history(record_id)
        return _clean(data)

    @app.put("/api/records/{record_id}")
    async def update_record(record_id: str, request: Request) -> dict[str, Any]:
        body = await _json(request)
        version = _version(body)
        record = _record_from({**body, "id": body.get("id") or record_id})
        return _clean(store.update(record_id, record, version).to_dict())

    @app.delete("/api/records/{record_id}", status_code=204)
    def delete_record(record_id: str, version: int = Query(..., ge=1)) -> Response:
        store.delete(record_id, version)
        return Response(status_code=204)

    @app.get("/api/records/{record_id}/history")
    def record_history(record_id: str) -> list[dict[str, Any]]:
        store.get(record_id)
        return store.history(record_id)

    @app.get("/api/export")
    def export(
        format: str = Query("csv", pattern="^(csv|json)$"),
        f: Filters = Depends(),
    ) -> Response:
        from aicompute.dataset.io import FLAT_COLUMNS, _flat

        rows = rows_for(*f.values())
        if format == "json":
            return JSONResponse(
                _clean([r.to_dict() for r in rows]),
                headers={"Content-Disposition": 'attachment; filename="records.json"'},
            )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow(_flat(r.record))
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="records.csv"'},
        )

    @app.post("/api/estimate")
    async def estimate(request: Request) -> dict[str, Any]:
        from aicompute.estimation import estimate_from

        body = await _json(request)
        if not isinstance(body, dict):
            raise HTTPException(422, [{"loc": ["body"], "msg": "expected a JSON object"}])
        return _clean(estimate_from(body).to_dict())

    @app.get("/api/estimate/inputs")
    def estimate_inputs() -> list[dict[str, Any]]:
        from dataclasses import asdict

        from aicompute.estimation import FIELDS

        return [asdict(f) | {"flag": f.flag} for f in FIELDS.values()]

    @app.get("/api/fit")
    def fit(
        f: Filters = Depends(),
        bootstrap: int = Query(1000, ge=0, le=20000),
        seed: int = Query(0, ge=0, le=2**63 - 1),
    ) -> dict[str, Any]:
        from aicompute.trends import fit_frame

        key = (store.frame(max_age=ANALYSIS_MAX_AGE)[0], *f.values(), bootstrap, seed)
        if key not in fits:
            frame, _ = filtered(*f.values())
            if len(fits) > 256:
                fits.clear()
            fits[key] = _clean(fit_frame(frame, bootstrap=bootstrap, seed=seed).to_dict())
        return fits[key]

    @app.get("/api/chart/{name}")
    def chart(
        name: str,
        f: Filters = Depends(),
        flop: str | None = Query(None, max_length=60),
        date: str | None = Query(None, max_length=10),
        label: str = Query("Your estimate", max_length=100),
    ) -> dict[str, Any]:
        from aicompute import charts, trends
        from aicompute.units import parse_flop

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
        if name == "estimate":
            if not flop or not date:
                raise InputError("flop", "the estimate chart needs flop and date")
            value = parse_flop(flop, "flop")
            if value <= 0:
                raise InputError("flop", "must be positive")
            return _clean(charts.estimate_chart(analysis, value, date, label).spec)
        if name not in charts.CHARTS:
            raise HTTPException(
                404, f"no chart {name!r}; use eras, modern, domains, estimate, forecast, cost"
            )
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
    def hardware_show(name: str) -> dict[str, Any]:
        from aicompute.hardware import get

        return get(name).to_dict()

    # --- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def explorer() -> str:
        return _page("explorer.html.j2", title="Explorer")

    @app.get("/records", response_class=HTMLResponse)
    def records_page() -> str:
        return _page("records.html.j2", title="Records")

    @app.get("/records/new", response_class=HTMLResponse)
    def new_record() -> str:
        return _page("edit.html.j2", title="New record", row=None, estimates_json="[]")

    @app.get("/records/{record_id}", response_class=HTMLResponse)
    def record_page(record_id: str) -> str:
        from aicompute.estimation import estimate_from
        from aicompute.estimation.inputs import render

        row = store.get(record_id)
        calcs = []
        for e in row.record.estimates:
            try:
                est = estimate_from(e.inputs).by_method(e.method)
                calcs.append({"method": e.method, "est": est, "note": e.note, "error": None})
            except InputError as error:
                message = render(str(error), "label")
                calcs.append({"method": e.method, "est": None, "note": e.note, "error": message})
        return _page(
            "record.html.j2",
            title=row.record.name,
            row=row,
            calcs=calcs,
            history=store.history(record_id),
        )

    @app.get("/records/{record_id}/edit", response_class=HTMLResponse)
    def edit_record(record_id: str) -> str:
        import json

        row = store.get(record_id)
        estimates = json.dumps([e.model_dump() for e in row.record.estimates], indent=1)
        return _page(
            "edit.html.j2", title=f"Edit {row.record.name}", row=row, estimates_json=estimates
        )

    @app.get("/calculator", response_class=HTMLResponse)
    def calculator() -> str:
        from aicompute.estimation import FIELDS

        groups = [
            (legend, [f for f in FIELDS.values() if f.method == method])
            for method, legend in (
                ("operations", "Method 1: counting operations"),
                ("hardware", "Method 2: hardware time"),
                ("both", "Adjustment"),
            )
        ]
        return _page("calculator.html.j2", title="Calculator", groups=groups)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
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


def _warm(store: Store) -> None:
    """Load the analysis libraries and the records once at start, so that the first requests
    do not pay for imports and parsing while others wait."""
    from aicompute.trends import fit_frame

    _, frame, _ = store.frame()
    if len(frame) >= 3:
        with contextlib.suppress(InputError):
            fit_frame(frame, bootstrap=10)


def app_from_env() -> FastAPI:
    """The app for a worker process: the store URL comes from ``AICOMPUTE_DB`` (the parent
    ``aicompute serve`` has already migrated and seeded it)."""
    import os

    return create_app(os.environ.get("AICOMPUTE_DB"), seed=False)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HTTPException(422, [{"loc": ["body"], "msg": "the body is not valid JSON"}]) from None


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
