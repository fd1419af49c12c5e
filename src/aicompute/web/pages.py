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
SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css"}
"""Swagger UI's files, served for ``/docs`` from the ``fastapi-offline`` package."""


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
    return page(request, "edit.html.j2", title="New record", row=None, **_form_context(None))


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
            history=list(reversed(store.history(record_id))),
        )
    calcs = await compute(request, _calculations, row)
    return page(
        request,
        "record.html.j2",
        title=row.record.name,
        row=row,
        calcs=calcs,
        above=_above(row),
        history=list(reversed(store.history(record_id))),
    )


def _above(row: Any) -> list[dict[str, str]]:
    """The record's probability of being above each threshold the API reports (as its JSON
    has it: :func:`~aicompute.web.deps.record_json`), written for people; empty without
    compute."""
    import math

    from aicompute.charts.formats import superscript
    from aicompute.threshold.dataset import p_field, probability_text
    from aicompute.web.deps import P_ABOVE, record_json

    data = record_json(row)
    shown = []
    for flop in P_ABOVE:
        p = data[p_field(flop)]
        if p is None:
            return []
        power = f"10{superscript(round(math.log10(flop)))}"
        text = probability_text(p)
        shown.append({"field": p_field(flop), "label": f"{power} FLOP", "text": text})
    return shown


@router.get("/records/{record_id}/history", response_class=HTMLResponse)
def history_page(request: Request, record_id: str = RecordId) -> HTMLResponse:
    """Every change of a record, newest first, deleted records too."""
    from aicompute.store import NotFoundError

    history = get_store(request).history(known(record_id))
    if not history:
        raise NotFoundError(record_id)
    last = history[-1]["record"] or {}
    return page(
        request,
        "history.html.j2",
        title=f"History of {last.get('name', record_id)}",
        record_id=record_id,
        history=list(reversed(history)),
    )


@router.get("/records/{record_id}/edit", response_class=HTMLResponse)
def edit_record(request: Request, record_id: str = RecordId) -> HTMLResponse:
    row = get_store(request).get(known(record_id))
    return page(
        request, "edit.html.j2", title=f"Edit {row.record.name}", row=row, **_form_context(row)
    )


def _form_context(row: Any) -> dict[str, Any]:
    """The record form's inputs: each method's fields (as the calculator shows them) and the
    stored calculations, each input shown as text with its original value kept."""
    from aicompute.estimation import FIELDS

    methods = {
        method: [f for f in FIELDS.values() if f.method in (method, "both")]
        for method in ("operations", "hardware")
    }
    estimates = []
    for e in row.record.estimates if row else ():
        estimates.append(
            {
                "method": e.method,
                "note": e.note,
                "values": {n: _shown(v) for n, v in e.inputs.items()},
                "originals": {n: json.dumps(v) for n, v in e.inputs.items()},
            }
        )
    return {"methods": methods, "estimates": estimates}


def _shown(value: Any) -> str:
    """A stored input as people write it: ranges as LOW..HIGH, flags as yes, numbers short."""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return "..".join(_shown(v) for v in value)
    from aicompute.units import tidy_exponent

    if isinstance(value, (int, float)) and abs(value) >= 1e6:
        return tidy_exponent(f"{value:.6g}")  # 174600000000 as 1.746e11, 750000000 as 7.5e8
    if isinstance(value, float):
        return tidy_exponent(f"{value:.12g}")
    return "" if value is None else str(value)


@router.get("/calculator", response_class=HTMLResponse)
def calculator(request: Request) -> HTMLResponse:
    from aicompute.constants import DISAGREEMENT_FACTOR
    from aicompute.estimation import FIELDS

    groups = [
        (legend, [f for f in FIELDS.values() if f.method == method])
        for method, legend in (
            ("operations", "Method 1: counting operations"),
            ("hardware", "Method 2: hardware time"),
            ("both", "Adjustment"),
        )
    ]
    return page(
        request,
        "calculator.html.j2",
        title="Calculator",
        groups=groups,
        disagreement_factor=DISAGREEMENT_FACTOR,
    )


@router.get("/static/{name}")
def static(name: str = Path(..., max_length=40)) -> Response:
    if name == "vega.js":
        from aicompute.charts import vega_bundle

        return Response(
            vega_bundle(),
            media_type="text/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )
    if name in SWAGGER_FILES:  # /docs, offline: Swagger UI as the fastapi-offline package ships it
        media = "text/javascript" if name.endswith(".js") else "text/css"
        body = resources.files("fastapi_offline").joinpath("static", name).read_bytes()
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=86400"})
    files = resources.files("aicompute.web").joinpath("static")
    if name == "format.js":  # the number formatter, shared with the report
        files = resources.files("aicompute.report").joinpath("static")
    elif name not in {"common.js", "explorer.js", "records.js", "app.css"}:
        raise HTTPException(404, "no such file")
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return Response(files.joinpath(name).read_text("utf-8"), media_type=media)


def _calculations(row: Any) -> list[dict[str, Any]]:
    """Each stored estimate, computed again for the record's page through the calculator's
    input definitions; one that cannot be redone shows why (a note), never an error page."""
    from aicompute.estimation import FIELDS, recompute
    from aicompute.estimation.inputs import render

    def inputs(stored: Any) -> list[dict[str, str]]:
        if not isinstance(stored, dict):
            return [{"name": "inputs", "label": "inputs", "value": _shown(str(stored))}]
        return [
            {
                "name": str(name),
                "label": FIELDS[name].label if name in FIELDS else str(name),
                "value": _shown(value),
            }
            for name, value in stored.items()
        ]

    calcs = []
    for e in row.record.estimates:
        try:
            redone = recompute(e)
            reason = redone.reason
            error = None if reason is None else render(reason, "label")
            est = redone.estimate
        except Exception as failure:  # a stored calculation never breaks its page
            est, error = None, f"{type(failure).__name__}: {failure}"
        calcs.append(
            {"method": e.method, "est": est, "note": e.note, "error": error,
             "inputs": inputs(e.inputs)}
        )  # fmt: skip
    for bad in row.unreadable:
        calcs.append(
            {
                "method": str(bad.get("method", "calculation")),
                "est": None,
                "note": str(bad.get("note", "")),
                "error": f"the stored inputs are not accepted any more: {bad['reason']}",
                "inputs": inputs(bad.get("inputs", {})),
            }
        )
    return calcs


def _diff_value(value: Any) -> str:
    """A field's value in a history diff: empty as –, lists joined, numbers short."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _sig(value: float | None, digits: int = 3, direction: int = 0) -> str:
    """``value`` to ``digits`` significant digits (rounded down for -1, up for +1)."""
    import math

    if value is None:
        return ""
    if direction == 0 or value <= 0:
        return f"{value:.{digits}g}"
    scale = 10 ** (math.floor(math.log10(value)) - digits + 1)
    step = math.floor if direction < 0 else math.ceil
    rounded = step(round(value / scale, 9)) * scale
    return f"{rounded:.{digits}g}"


@functools.lru_cache(maxsize=1)
def _templates() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicompute.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    from aicompute.units import format_number, tidy_exponent

    # numbers shown go through the one formatter (as on the command line and in the report)
    env.filters["sig"] = lambda v, d=3: format_number(v, "number", d)
    env.filters["flop"] = lambda v, d=3: format_number(v, "flop", d)
    env.filters["pfs"] = lambda v, d=3: format_number(v, "pfs_days", d)
    # a range's ends rounded outward, written as the CLI reads them back (1.69e17)
    env.filters["sig_down"] = lambda v: tidy_exponent(_sig(v, 3, -1))
    env.filters["sig_up"] = lambda v: tidy_exponent(_sig(v, 3, 1))
    env.filters["exact"] = lambda v: "" if v is None else f"{v:.12g}"
    env.filters["shown"] = _shown
    env.filters["diffval"] = _diff_value
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
