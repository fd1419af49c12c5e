"""The local web app: explorer, records, calculator and editing, over a JSON API.

The API uses the same field names as the command line's ``--json``. Input is validated at the
edge (422 with the field and message), a stale edit is refused with 409, a database that cannot
be used answers 503, and every page escapes what it shows. Who may call the app, and how much
one request may ask, is :mod:`aicompute.web.security`'s job. The routes live in
:mod:`aicompute.web.api` and :mod:`aicompute.web.pages`, what they share in
:mod:`aicompute.web.deps`, the error answers in :mod:`aicompute.web.errors`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from aicompute import __version__
from aicompute.errors import InputError
from aicompute.store import Store
from aicompute.web import api, errors, pages
from aicompute.web.deps import ERRORS
from aicompute.web.security import Guard, Settings

__all__ = ["Settings", "app_from_env", "create_app"]


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
        docs_url=None,  # served below, from packaged files: /docs works offline
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.limiter = anyio.CapacityLimiter(settings.heavy_workers)
    app.state.fits = {}
    # the routes themselves, not included routers (which FastAPI now keeps nested in app.routes)
    app.router.routes.extend([*api.router.routes, *pages.router.routes])
    app.openapi = lambda: api.openapi_schema(app)  # type: ignore[method-assign]
    app.add_api_route("/docs", _docs, include_in_schema=False, response_class=HTMLResponse)
    app.add_middleware(Guard, settings=settings)
    errors.register(app)
    _warm(store)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the routes' blocking work on at most ``settings.request_threads`` threads, and
    take what start-up loaded out of the garbage collector's sight."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = app.state.settings.request_threads
    # Modules, the records and the warmed analysis live as long as the process; a full
    # collection walked all of them, holding every thread of the worker for 50-130 ms under
    # load (bench/web.py's PostgreSQL read p99). Frozen, they are never walked again.
    gc.collect()
    gc.freeze()
    yield


def _docs() -> HTMLResponse:
    """Swagger UI from the files the ``fastapi-offline`` package ships (served by
    :func:`aicompute.web.pages.static`), so the page needs no network."""
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="aicompute API",
        swagger_js_url="/static/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui.css",
        swagger_favicon_url="data:,",
    )


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
