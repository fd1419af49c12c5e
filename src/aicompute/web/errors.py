"""The exception handlers: every error answers in the API's shape (or, for a page, as a page)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from aicompute.errors import InputError
from aicompute.store import ConflictError, DeletedError, NotFoundError


def wants_page(request: Request) -> bool:
    """Whether to answer with a page: a path outside ``/api/``, asked for by a client that
    does not prefer JSON (content negotiation on ``Accept``)."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/json" not in accept


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    fields: list[dict[str, str]] | None = None,
    search: str = "",
) -> Response:
    """An error as a page (a 404, a 422 with its fields, any other status)."""
    from aicompute.web.pages import page

    return page(
        request,
        "error.html.j2",
        status=status,
        title=title,
        message=message,
        fields=fields or [],
        search=search,
        code=status,
    )


async def input_error(_: Request, error: InputError) -> JSONResponse:
    """422 naming the field, with its label for the calculator."""
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


async def conflict(_: Request, error: ConflictError) -> JSONResponse:
    """409 with the version now stored."""
    return JSONResponse({"detail": str(error), "current_version": error.current}, status_code=409)


async def not_found(request: Request, error: NotFoundError) -> Response:
    """404: a page for pages; for the API, how to restore a deleted record."""
    if wants_page(request):
        return error_page(
            request,
            404,
            "No such record",
            f"There is no record {error.args[0]!r}.",
            search=str(error.args[0])[:60].replace("-", " "),
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


async def invalid(request: Request, error: RequestValidationError) -> Response:
    """422 with each parameter's location and message (a page lists them)."""
    if wants_page(request):
        fields = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "request", "msg": e["msg"]}
            for e in error.errors()
        ]
        return error_page(request, 422, "Not accepted", "The address has bad values:", fields)
    return JSONResponse(
        {"detail": [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]},
        status_code=422,
    )


async def database(_: Request, error: sa.exc.DBAPIError) -> JSONResponse:
    """422 when the database refuses a value, else 503 (unavailable)."""
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


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    """Any other refusal: JSON for the API (FastAPI's shape), a page for a browser."""
    if wants_page(request) and error.status_code >= 400:
        titles = {404: "Not found", 405: "Not allowed", 503: "Busy"}
        detail = error.detail if isinstance(error.detail, str) else "the request was refused"
        if error.status_code == 404 and detail == "Not Found":
            detail = f"There is no page {request.url.path!r}."
        title = titles.get(error.status_code, "Refused")
        return error_page(request, error.status_code, title, detail)
    headers = getattr(error, "headers", None)
    if error.status_code in {204, 304}:
        return Response(status_code=error.status_code, headers=headers)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)


def register(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(InputError, input_error)  # type: ignore[arg-type]
    app.add_exception_handler(ConflictError, conflict)  # type: ignore[arg-type]
    app.add_exception_handler(NotFoundError, not_found)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(sa.exc.DBAPIError, database)  # type: ignore[arg-type]
