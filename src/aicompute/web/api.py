"""The JSON API: records (list, read, write, delete, restore, history, export), estimates,
fits, charts and hardware. Field names are the command line's ``--json`` names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

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
    NUMBERS,
    RecordId,
    author_of,
    compute,
    db_call,
    filtered,
    filters_dependency,
    get_settings,
    json_body,
    json_object,
    known,
    record_filter,
    record_from,
    record_json,
    record_response,
    rows_for,
    rows_response,
    store_dependency,
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
    for name in NUMBERS:  # a number, or text as the command line reads it ("3e24 FLOP")
        schema["properties"][name] = {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string"},
                {"type": "null"},
            ],
            "description": "FLOP: a number, or text such as '3e24 FLOP' or '3640 pfs-days'",
        }
    schema["properties"]["author"] = {
        "type": "string",
        "maxLength": 100,
        "description": "Who makes the change (else the X-Author header, else AICOMPUTE_AUTHOR)",
    }
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
def health(store: Store = Depends(store_dependency)) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "records": store.count(),
        "dataset_updated": embedded_updated(),
        "db": store.engine.dialect.name,
    }


@router.get("/records", response_model=list[dict[str, Any]])
def list_records(
    request: Request,
    response: Response,
    f: Any = Depends(filters_dependency),
    limit: int = Query(
        Settings.page_size,
        ge=1,
        le=MAX_VERSION,
        description="Records per page (at most the app's max_page_size, 1000 by default).",
    ),
    offset: int = Query(0, ge=0, le=MAX_VERSION),
    store: Store = Depends(store_dependency),
) -> Response:
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
    return rows_response(rows, response.headers)


@router.post(
    "/records",
    status_code=201,
    openapi_extra=_body_schema(_record_schema(False), {"name": "My model", "date": "2024"}),
)
async def create_record(
    request: Request, store: Store = Depends(store_dependency)
) -> dict[str, Any]:
    """Add a record, unreviewed, by the body's ``author`` (or ``X-Author``); 409 names the
    record that already has its id."""
    body = json_object(await json_body(request))
    author = author_of(request, body)
    record = await compute(request, record_from, body)
    row = await db_call(lambda: store.create(record, author=author))
    result: dict[str, Any] = record_json(row)
    return result


@router.get("/records/{record_id}", response_model=dict[str, Any])
def read_record(record_id: str = RecordId, store: Store = Depends(store_dependency)) -> Response:
    """The record and its ``history``, oldest change first."""
    row, history = store.read(known(record_id))
    return record_response(row, history)


@router.put(
    "/records/{record_id}",
    openapi_extra=_body_schema(
        _record_schema(True), {"name": "My model", "date": "2024", "version": 1}
    ),
)
async def update_record(
    request: Request, record_id: str = RecordId, store: Store = Depends(store_dependency)
) -> dict[str, Any]:
    """Replace a record read at ``version`` (409 when stale); the edit is unreviewed."""
    body = json_object(await json_body(request))
    version = version_of(body)
    author = author_of(request, body)
    known(record_id)
    record = await compute(request, record_from, {**body, "id": body.get("id") or record_id})
    row = await db_call(lambda: store.update(record_id, record, version, author=author))
    result: dict[str, Any] = record_json(row)
    return result


@router.delete("/records/{record_id}", status_code=204)
def delete_record(
    request: Request,
    record_id: str = RecordId,
    version: int = Query(..., ge=1, le=MAX_VERSION),
    store: Store = Depends(store_dependency),
) -> Response:
    """Delete (softly: ``POST /api/records/{id}/restore`` brings it back), by ``X-Author``."""
    store.delete(known(record_id), version, author=author_of(request))
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
    request: Request, record_id: str = RecordId, store: Store = Depends(store_dependency)
) -> dict[str, Any]:
    """Undo a delete: ``version`` is the deleted record's version (the delete's 404 says
    it)."""
    body = json_object(await json_body(request))
    version, author = version_of(body), author_of(request, body)
    known(record_id)
    row = await db_call(lambda: store.restore(record_id, version, author=author))
    result: dict[str, Any] = record_json(row)
    return result


@router.post(
    "/records/{record_id}/review",
    openapi_extra=_body_schema(
        {
            "type": "object",
            "properties": {
                "version": {"type": "integer", "minimum": 1},
                "author": {"type": "string", "maxLength": 100},
            },
            "required": ["version"],
        },
        {"version": 2, "author": "Ada"},
    ),
)
async def review_record(
    request: Request, record_id: str = RecordId, store: Store = Depends(store_dependency)
) -> dict[str, Any]:
    """Mark a record reviewed: ``version`` is the version read (409 when stale); the review
    is a new version, in the history with its author. Fits and charts then count it."""
    body = json_object(await json_body(request))
    version, author = version_of(body), author_of(request, body)
    known(record_id)
    row = await db_call(lambda: store.review(record_id, version, author=author))
    result: dict[str, Any] = record_json(row)
    return result


@router.get("/records/{record_id}/history")
def record_history(
    record_id: str = RecordId, store: Store = Depends(store_dependency)
) -> list[dict[str, Any]]:
    """Every change of a record, deleted or not: version, action, time, author, the fields
    an update changed (``changes``: field, old, new) and the record as it was."""
    history = store.history(known(record_id))
    if not history:
        raise NotFoundError(record_id)
    return history


@router.get("/export")
def export(
    format: str = Query("csv", pattern="^(csv|json)$"),
    f: Any = Depends(filters_dependency),
    store: Store = Depends(store_dependency),
) -> Response:
    from aicompute.dataset.io import csv_text

    rows, _ = rows_for(store, record_filter(f))
    if format == "json":
        return rows_response(rows, {"Content-Disposition": 'attachment; filename="records.json"'})
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
    f: Any = Depends(filters_dependency),
    bootstrap: int = Query(FIT_BOOTSTRAP, ge=0, le=WEB_BOOTSTRAP),
    seed: int = Query(0, ge=0, le=WEB_SEED),
    store: Store = Depends(store_dependency),
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
    f: Any = Depends(filters_dependency),
    flop: str | None = Query(None, max_length=60),
    date: str | None = Query(None, max_length=10),
    label: str = Query("Your estimate", max_length=100),
    highlight: str = Query(
        "", max_length=200, description="The id of a record to ring on the chart (a signal)."
    ),
    store: Store = Depends(store_dependency),
) -> dict[str, Any]:
    """A chart's Vega-Lite specification. Its ``usermeta.summary`` describes what the chart
    shows (``lines`` of text, the ``fits`` drawn, ``warnings``, ``records``); points carry
    their record's ``id``, and a ``highlight`` signal rings the record it names."""
    from aicompute import charts

    if name not in {*charts.CHARTS, "estimate", "forecast", "cost"}:
        raise HTTPException(
            404, f"no chart {name!r}; use eras, modern, domains, estimate, forecast, cost"
        )
    result: dict[str, Any] = await compute(
        request, _draw_chart, store, name, f, flop, date, label, highlight
    )
    return result


HIGHLIGHT_PARAM = "highlight"
"""The signal naming the record ringed on an explorer chart (an id, or empty)."""


def _draw_chart(
    store: Store,
    name: str,
    f: Any,
    flop: str | None,
    date: str | None,
    label: str,
    highlight: str = "",
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
            made = charts.forecast_chart(rows, forecast)
            summary = _forecast_summary(forecast, rows)
        else:
            _, price_fit = economics.price_performance()
            made = charts.cost_chart(forecast.fit, price_fit, rows)
            summary = _cost_summary(made, rows)
    else:
        analysis = trends.analyze(frame, bootstrap=200)
        if estimate_at is not None and date is not None:
            made = charts.estimate_chart(analysis, estimate_at, date, label)
            summary = _estimate_summary(made, label)
        else:
            made = charts.CHARTS[name](analysis)
            summary = _SUMMARIES[name](analysis)
    above = getattr(chosen, "above", None)
    if above is not None and summary.get("records") is not None:
        from aicompute.units import format_number

        p_min = format_number(getattr(chosen, "p_min", 0.5), "percent")
        summary["lines"].append(
            f"Only records whose compute is above {format_number(above, 'flop')} with "
            f"probability {p_min} or more (from each record's 90% interval)."
        )
    spec: dict[str, Any] = plain(made.spec)
    _with_ids(spec, frame)
    _with_highlight(spec, highlight)
    spec.setdefault("usermeta", {})["summary"] = plain(summary)
    return spec


# --- what a chart shows, in words (the explorer's summary) -----------------------------------


def _num(value: float | None) -> str:
    from aicompute.charts.formats import number_text

    return "∞" if value is None else number_text(value)


def _fit_summary(fit: Any, label: str) -> dict[str, Any]:
    """One fitted line: its figures, and a sentence with the doubling time and interval."""
    lo, hi = fit.doubling_months_ci
    d = fit.to_dict()
    span = f"{d['since'][:4]}–{d['until'][:4]}"
    if fit.doubling_months is None:
        text = f"{label} ({span}, {fit.n} records): no growth"
    else:
        text = (
            f"{label} ({span}, {fit.n} records): doubling every {_num(fit.doubling_months)} "
            f"months (90% interval {_num(lo)}–{_num(hi)}), {_num(fit.growth_per_year)}x per year"
        )
    return {
        "label": label,
        "n": fit.n,
        "since": d["since"],
        "until": d["until"],
        "doubling_months": fit.doubling_months,
        "doubling_months_ci": [lo, hi],
        "growth_per_year": fit.growth_per_year,
        "text": text,
    }


def _break_warnings(fit: Any, frame: Any) -> list[str]:
    """The fit's own warnings, and the break inside its records when there is one."""
    from aicompute.estimation.inputs import render
    from aicompute.trends.eras import break_in

    inside = frame[(frame["year"] >= fit.since) & (frame["year"] <= fit.until)]
    found = break_in(inside)
    warnings = [*fit.warnings, *([found.warning()] if found is not None else [])]
    return [render(w, "name") for w in warnings]


def _shown(frame: Any) -> int:
    return int(frame["flop"].notna().sum())


def _eras_summary(analysis: Any) -> dict[str, Any]:
    eras = analysis.eras
    if eras is not None and eras.break_year is not None:
        fits = [_fit_summary(s, f"Era {i + 1}") for i, s in enumerate(eras.segments)]
        head = (
            f"Two eras, split at {eras.to_dict()['break'][:7]} ({eras.model} model, by BIC); "
            "each era's trend:"
        )
        warnings: list[str] = []
    else:
        fits = [_fit_summary(analysis.all_fit, "One trend")]
        head = "No break detected in these records; one trend:"
        warnings = _break_warnings(analysis.all_fit, analysis.frame)
    return {
        "records": _shown(analysis.frame),
        "lines": [head, *(fit["text"] for fit in fits)],
        "fits": fits,
        "warnings": warnings,
    }


def _modern_summary(analysis: Any) -> dict[str, Any]:
    fit = _fit_summary(analysis.modern_fit, "The modern era")
    lines = [fit["text"], f"Records: {analysis.modern_label}."]
    g = analysis.growth
    if g is not None:
        lines.append(f"{g.start_name} to {g.end_name}: {_num(g.factor)}x more compute.")
    return {
        "records": _shown(analysis.modern),
        "lines": lines,
        "fits": [fit],
        "warnings": _break_warnings(analysis.modern_fit, analysis.modern),
    }


def _domains_summary(analysis: Any) -> dict[str, Any]:
    from aicompute.trends.analysis import MIN_DOMAIN_POINTS

    frame = analysis.recent if analysis.recent is not None else analysis.modern
    fits = [_fit_summary(fit, d) for d, fit in analysis.domain_fits.items()]
    lines = [f"Each domain since {analysis.recent_since[:4]}:", *(x["text"] for x in fits)]
    if analysis.domain_skipped:
        lines.append(
            "No trend line for "
            + ", ".join(f"{d} ({n})" for d, n in sorted(analysis.domain_skipped.items()))
            + f": fewer than {MIN_DOMAIN_POINTS} records."
        )
    return {"records": _shown(frame), "lines": lines, "fits": fits, "warnings": []}


def _forecast_summary(forecast: Any, rows: Any) -> dict[str, Any]:
    fit = _fit_summary(forecast.fit, f"The {forecast.selection} trend")
    info = forecast.to_dict()
    lines = [fit["text"], f"Projected to {forecast.years[-1]:.0f} with its 90% prediction band."]
    if forecast.target is not None:
        lo, hi = info["target_date_interval"] or (None, None)
        lines.append(
            f"Target reached {(info['target_date'] or 'never')[:7]} "
            f"(90%: {lo[:7] if lo else '?'} to {hi[:7] if hi else 'never'})."
        )
    return {
        "records": _shown(rows),
        "lines": lines,
        "fits": [fit],
        "warnings": _break_warnings(forecast.fit, rows),
    }


def _cost_summary(made: Any, rows: Any) -> dict[str, Any]:
    from aicompute.charts.formats import usd_text

    limits = made.info["limits"]
    a = limits[0]["assumptions"]
    lines = [
        f"The trend's largest run ({_num(a['compute_growth_per_year'])}x compute a year) priced "
        f"at the hardware trend ({_num(a['price_performance_growth_per_year'])}x FLOP/s per "
        f"dollar a year): a {a['run_days']:g}-day run at {a['utilization']:.0%} utilization.",
        *(
            f"{lim['fraction']:.0%} of the world's hardware budget ({usd_text(lim['usd'])}): "
            + ("never at these trends" if lim["year"] is None else f"{lim['year']:.0f}")
            for lim in limits
        ),
    ]
    return {"records": len(made.info["points"]), "lines": lines, "fits": [], "warnings": []}


def _estimate_summary(made: Any, label: str) -> dict[str, Any]:
    months = made.info["months_from_trend"]
    fit = _fit_summary(made.info["fit"], "Trend")
    where = "ahead of" if months >= 0 else "behind"
    return {
        "records": None,
        "lines": [f"{label}: {_num(abs(months))} months {where} the trend.", fit["text"]],
        "fits": [fit],
        "warnings": [],
    }


_SUMMARIES = {"eras": _eras_summary, "modern": _modern_summary, "domains": _domains_summary}


def _point_layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers drawing records as points (filled, with a tooltip)."""
    return [
        layer
        for layer in spec.get("layer", [])
        if isinstance(layer.get("mark"), dict)
        and layer["mark"].get("type") == "point"
        and layer["mark"].get("filled")
        and "tooltip" in layer.get("encoding", {})
    ]


def _with_ids(spec: dict[str, Any], frame: Any) -> None:
    """Points drawn from their own rows (the cost chart's) get their record's id by name."""
    ids = dict(zip(frame["name"], frame["id"], strict=True))
    for layer in _point_layers(spec):
        for row in layer.get("data", {}).get("values", []):
            if "id" not in row and row.get("name") in ids:
                row["id"] = ids[row["name"]]


def _with_highlight(spec: dict[str, Any], highlight: str) -> None:
    """A ``highlight`` signal (a record's id) and a ring with the record's name around its
    point, drawn over the chart's record points."""
    layers = _point_layers(spec)
    if not layers:
        return
    for layer in layers:
        layer["mark"]["cursor"] = "pointer"  # a click opens the record
    spec.setdefault("params", []).append({"name": HIGHLIGHT_PARAM, "value": highlight})
    base = layers[0]
    keep = {"filter": f"{HIGHLIGHT_PARAM} != '' && datum.id == {HIGHLIGHT_PARAM}"}
    common = {k: v for k, v in base.items() if k in {"data"}}
    transform = [*base.get("transform", []), keep]
    position = {k: base["encoding"][k] for k in ("x", "y")}
    spec["layer"].extend(
        [
            {
                **common,
                "transform": transform,
                "mark": {"type": "point", "shape": "circle", "size": 420, "filled": False,
                         "stroke": "#D55E00", "strokeWidth": 3},
                "encoding": {**position, "tooltip": base["encoding"]["tooltip"]},
            },
            *(
                {
                    **common,
                    "transform": transform,
                    "mark": {"type": "text", "dy": -18, "fontSize": 13, "fontWeight": "bold",
                             "color": "#D55E00", **halo},
                    "encoding": {**position, "text": {"field": "name"}},
                }
                for halo in ({"stroke": "#ffffff", "strokeWidth": 4, "strokeOpacity": 0.9}, {})
            ),
        ]
    )  # fmt: skip


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
