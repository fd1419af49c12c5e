"""The JSON API: records (list, read, write, delete, restore, history, export), estimates,
fits, charts and hardware. Field names are the command line's ``--json`` names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from aicompute import __version__
from aicompute.constants import FIT_BOOTSTRAP
from aicompute.dataset import Record
from aicompute.dataset.io import embedded_updated
from aicompute.dataset.record import ID_PATTERN
from aicompute.jsonable import plain
from aicompute.store import NotFoundError, Store
from aicompute.trends.selection import RecordFilter
from aicompute.web.deps import (
    ANALYSIS_MAX_AGE,
    ERRORS,
    MAX_FITS,
    MAX_VERSION,
    Filters,
    RecordId,
    compute,
    db_call,
    filtered,
    get_settings,
    get_store,
    json_body,
    json_object,
    known,
    record_filter,
    record_from,
    rows_for,
    unprocessable,
    version_of,
)
from aicompute.web.security import Settings

WEB_BOOTSTRAP = 5000
"""Bootstrap resamples one web fit may ask for (the explorer asks 500)."""
WEB_SEED = 2**32 - 1
"""Largest bootstrap seed on the web (numpy's own seed range)."""

router = APIRouter(prefix="/api", responses=ERRORS)


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


def openapi_schema(app: Any) -> dict[str, Any]:
    """The app's OpenAPI, with Record's ``$defs`` among its schemas (the bodies refer to them)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        defs = Record.model_json_schema(ref_template="#/components/schemas/{model}")
        spec.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
        app.openapi_schema = spec
    result: dict[str, Any] = app.openapi_schema
    return result


@router.get("/health")
def health(store: Store = Depends(get_store)) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "records": store.count(),
        "dataset_updated": embedded_updated(),
        "db": store.engine.dialect.name,
    }


@router.get("/records")
def list_records(
    request: Request,
    response: Response,
    f: Any = Depends(Filters),
    limit: int = Query(
        Settings.page_size,
        ge=1,
        le=MAX_VERSION,
        description="Records per page (at most the app's max_page_size, 1000 by default).",
    ),
    offset: int = Query(0, ge=0, le=MAX_VERSION),
    store: Store = Depends(get_store),
) -> list[dict[str, Any]]:
    """A page of records (``limit`` at a time, from ``offset``); ``X-Total-Count`` says how
    many match, and a ``Link`` header with ``rel="next"`` points to the next page."""
    settings = get_settings(request)
    if "limit" not in request.query_params:
        limit = settings.page_size
    if limit > settings.max_page_size:
        raise unprocessable(
            ["query", "limit"], f"Input should be less than or equal to {settings.max_page_size}"
        )
    rows, total = rows_for(store, record_filter(f), limit, offset)
    response.headers["X-Total-Count"] = str(total)
    if offset + limit < total:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    result: list[dict[str, Any]] = plain([r.to_dict() for r in rows])
    return result


@router.post(
    "/records",
    status_code=201,
    openapi_extra=_body_schema(_record_schema(False), {"name": "My model", "date": "2024"}),
)
async def create_record(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    record = await compute(request, record_from, await json_body(request))
    result: dict[str, Any] = plain((await db_call(store.create, record)).to_dict())
    return result


@router.get("/records/{record_id}")
def read_record(record_id: str = RecordId, store: Store = Depends(get_store)) -> dict[str, Any]:
    data = store.get(known(record_id)).to_dict()
    data["history"] = store.history(record_id)
    result: dict[str, Any] = plain(data)
    return result


@router.put(
    "/records/{record_id}",
    openapi_extra=_body_schema(
        _record_schema(True), {"name": "My model", "date": "2024", "version": 1}
    ),
)
async def update_record(
    request: Request, record_id: str = RecordId, store: Store = Depends(get_store)
) -> dict[str, Any]:
    body = json_object(await json_body(request))
    version = version_of(body)
    known(record_id)
    record = await compute(request, record_from, {**body, "id": body.get("id") or record_id})
    result: dict[str, Any] = plain(
        (await db_call(store.update, record_id, record, version)).to_dict()
    )
    return result


@router.delete("/records/{record_id}", status_code=204)
def delete_record(
    record_id: str = RecordId,
    version: int = Query(..., ge=1, le=MAX_VERSION),
    store: Store = Depends(get_store),
) -> Response:
    """Delete (softly: ``POST /api/records/{id}/restore`` brings it back)."""
    store.delete(known(record_id), version)
    return Response(status_code=204)


@router.post(
    "/records/{record_id}/restore",
    openapi_extra=_body_schema(
        {
            "type": "object",
            "properties": {"version": {"type": "integer", "minimum": 1}},
            "required": ["version"],
        },
        {"version": 2},
    ),
)
async def restore_record(
    request: Request, record_id: str = RecordId, store: Store = Depends(get_store)
) -> dict[str, Any]:
    """Undo a delete: ``version`` is the deleted record's version (the delete's 404 says
    it)."""
    version = version_of(json_object(await json_body(request)))
    result: dict[str, Any] = plain(
        (await db_call(store.restore, known(record_id), version)).to_dict()
    )
    return result


@router.get("/records/{record_id}/history")
def record_history(
    record_id: str = RecordId, store: Store = Depends(get_store)
) -> list[dict[str, Any]]:
    """Every change of a record, deleted or not."""
    history = store.history(known(record_id))
    if not history:
        raise NotFoundError(record_id)
    return history


@router.get("/export")
def export(
    format: str = Query("csv", pattern="^(csv|json)$"),
    f: Any = Depends(Filters),
    store: Store = Depends(get_store),
) -> Response:
    from aicompute.dataset.io import csv_text

    rows, _ = rows_for(store, record_filter(f))
    if format == "json":
        return JSONResponse(
            plain([r.to_dict() for r in rows]),
            headers={"Content-Disposition": 'attachment; filename="records.json"'},
        )
    return Response(
        csv_text([r.record for r in rows]),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="records.csv"'},
    )


@router.post(
    "/estimate",
    openapi_extra=_body_schema(_estimate_schema(), {"params": "175B", "tokens": "300B"}),
)
async def estimate(request: Request) -> dict[str, Any]:
    from aicompute.estimation import estimate_from

    body = json_object(await json_body(request))
    result: dict[str, Any] = plain((await compute(request, estimate_from, body)).to_dict())
    return result


@router.get("/estimate/inputs")
def estimate_inputs() -> list[dict[str, Any]]:
    from dataclasses import asdict

    from aicompute.estimation import FIELDS

    return [asdict(f) | {"flag": f.flag} for f in FIELDS.values()]


@router.get("/fit")
async def fit(
    request: Request,
    f: Any = Depends(Filters),
    bootstrap: int = Query(FIT_BOOTSTRAP, ge=0, le=WEB_BOOTSTRAP),
    seed: int = Query(0, ge=0, le=WEB_SEED),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    from aicompute.estimation.inputs import render
    from aicompute.trends.eras import checked_fit

    fits: dict[tuple[Any, ...], dict[str, Any]] = request.app.state.fits

    def run() -> dict[str, Any]:
        chosen = record_filter(f)
        key = (store.frame(max_age=ANALYSIS_MAX_AGE)[0], *chosen.values(), bootstrap, seed)
        if key not in fits:
            frame, _ = filtered(store, chosen)
            if len(fits) > MAX_FITS:
                fits.clear()
            result = checked_fit(frame, bootstrap=bootstrap, seed=seed).to_dict()
            result["warnings"] = [render(w, "name") for w in result["warnings"]]
            fits[key] = plain(result)
        return fits[key]

    result: dict[str, Any] = await compute(request, run)
    return result


@router.get("/chart/{name}")
async def chart(
    request: Request,
    name: str = Path(..., max_length=40),
    f: Any = Depends(Filters),
    flop: str | None = Query(None, max_length=60),
    date: str | None = Query(None, max_length=10),
    label: str = Query("Your estimate", max_length=100),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    from aicompute import charts

    if name not in {*charts.CHARTS, "estimate", "forecast", "cost"}:
        raise HTTPException(
            404, f"no chart {name!r}; use eras, modern, domains, estimate, forecast, cost"
        )
    result: dict[str, Any] = await compute(request, _draw_chart, store, name, f, flop, date, label)
    return result


def _draw_chart(
    store: Store, name: str, f: Any, flop: str | None, date: str | None, label: str
) -> dict[str, Any]:
    from aicompute import charts, trends
    from aicompute.constants import FORECAST_BOOTSTRAP
    from aicompute.units import parse_flop

    estimate_at = charts.estimate_point(flop, date) if name == "estimate" else None
    chosen: RecordFilter = record_filter(f)
    frame, _ = filtered(store, chosen)
    if name in {"forecast", "cost"}:
        from aicompute import economics

        target = parse_flop(flop, "target") if flop else None
        forecast = trends.forecast_frame(
            frame, until=2030, target=target, bootstrap=FORECAST_BOOTSTRAP
        )
        rows = trends.select_trend(frame, "frontier")
        if name == "forecast":
            spec: dict[str, Any] = plain(charts.forecast_chart(rows, forecast).spec)
            return spec
        _, price_fit = economics.price_performance()
        spec = plain(charts.cost_chart(forecast.fit, price_fit, rows).spec)
        return spec
    analysis = trends.analyze(frame, bootstrap=200)
    if estimate_at is not None and date is not None:
        spec = plain(charts.estimate_chart(analysis, estimate_at, date, label).spec)
        return spec
    spec = plain(charts.CHARTS[name](analysis).spec)
    return spec


@router.get("/hardware")
def hardware_list(search: str | None = Query(None, max_length=100)) -> list[dict[str, Any]]:
    from aicompute.hardware import all_accelerators

    return [
        a.to_dict() for a in all_accelerators() if not search or search.lower() in a.name.lower()
    ]


@router.get("/hardware/{name}")
def hardware_show(name: str = Path(..., max_length=200)) -> dict[str, Any]:
    from aicompute.hardware import get

    result: dict[str, Any] = get(name).to_dict()
    return result
