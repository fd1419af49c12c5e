"""The HTML pages: explorer, records, a record, editing and the calculator (each page escapes
what it shows; the data come from the JSON API or the store)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response

from aicompute import __version__
from aicompute.store import DeletedError
from aicompute.web.deps import ERRORS, RecordId, compute, get_store, known

router = APIRouter(responses=ERRORS)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered for ``request`` (with the app's CSRF token)."""
    token = request.app.state.settings.csrf_token
    return HTMLResponse(_page(template, csrf_token=token, **context), status_code=status)


@router.get("/", response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    return page(request, "explorer.html.j2", title="Explorer")


@router.get("/records", response_class=HTMLResponse)
def records_page(request: Request) -> HTMLResponse:
    return page(request, "records.html.j2", title="Records")


@router.get("/records/new", response_class=HTMLResponse)
def new_record(request: Request) -> HTMLResponse:
    return page(request, "edit.html.j2", title="New record", row=None, estimates_json="[]")


@router.get("/records/{record_id}", response_class=HTMLResponse)
async def record_page(request: Request, record_id: str = RecordId) -> HTMLResponse:
    store = get_store(request)
    try:
        row = store.get(known(record_id))
    except DeletedError as gone:
        return page(
            request,
            "deleted.html.j2",
            status=404,
            title="Deleted record",
            record_id=gone.record_id,
            deleted_version=gone.version,
            history=store.history(record_id),
        )
    calcs = await compute(request, _calculations, row)
    return page(
        request,
        "record.html.j2",
        title=row.record.name,
        row=row,
        calcs=calcs,
        history=store.history(record_id),
    )


@router.get("/records/{record_id}/edit", response_class=HTMLResponse)
def edit_record(request: Request, record_id: str = RecordId) -> HTMLResponse:
    row = get_store(request).get(known(record_id))
    estimates = json.dumps([e.model_dump() for e in row.record.estimates], indent=1)
    return page(
        request, "edit.html.j2", title=f"Edit {row.record.name}", row=row, estimates_json=estimates
    )


@router.get("/calculator", response_class=HTMLResponse)
def calculator(request: Request) -> HTMLResponse:
    from aicompute.estimation import FIELDS

    groups = [
        (legend, [f for f in FIELDS.values() if f.method == method])
        for method, legend in (
            ("operations", "Method 1: counting operations"),
            ("hardware", "Method 2: hardware time"),
            ("both", "Adjustment"),
        )
    ]
    return page(request, "calculator.html.j2", title="Calculator", groups=groups)


@router.get("/static/{name}")
def static(name: str = Path(..., max_length=40)) -> Response:
    if name == "vega.js":
        from aicompute.charts import vega_bundle

        return Response(
            vega_bundle(),
            media_type="text/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )
    files = resources.files("aicompute.web").joinpath("static")
    if name == "format.js":  # the number formatter, shared with the report
        files = resources.files("aicompute.report").joinpath("static")
    elif name not in {"common.js", "explorer.js", "records.js", "app.css"}:
        raise HTTPException(404, "no such file")
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return Response(files.joinpath(name).read_text("utf-8"), media_type=media)


def _calculations(row: Any) -> list[dict[str, Any]]:
    """Each stored estimate, computed again for the record's page (an error shows as text)."""
    from aicompute.estimation import recompute
    from aicompute.estimation.inputs import render

    calcs = []
    for e in row.record.estimates:
        redone = recompute(e)
        reason = redone.reason
        error = None if reason is None else render(reason, "label")
        calcs.append({"method": e.method, "est": redone.estimate, "note": e.note, "error": error})
    return calcs


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
    from aicompute.dataset import COMPUTE_SCOPES, CONFIDENCES, DATE_SOURCES, DOMAINS
    from aicompute.dataset.io import embedded_updated

    env = _templates()
    return env.get_template(template).render(
        version=__version__,
        dataset_updated=embedded_updated(),
        compute_scopes=COMPUTE_SCOPES,
        date_sources=DATE_SOURCES,
        domains=DOMAINS,
        confidences=CONFIDENCES,
        safe_json=safe_json,
        **context,
    )
