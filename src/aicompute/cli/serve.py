"""``aicompute serve``: the local web app (needs the web extra)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aicompute.cli.output import user_errors


def serve_command(
    db: Annotated[
        Optional[str],
        typer.Option(
            "--db",
            metavar="URL",
            help="Database URL: sqlite:///path.db or "
            "postgresql://user@host/db (default: SQLite in the user data directory).",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Interface to listen on (loopback by default; anything else exposes the app).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", help="Server processes (one per core serves the most clients)."),
    ] = 1,
) -> None:
    """Start the web app: explorer, records, calculator and a shared store of records."""
    with user_errors():
        from aicompute.errors import InputError

        try:
            import uvicorn

            from aicompute.store import default_url
            from aicompute.web import create_app
        except ImportError as error:
            raise InputError(
                None, f"aicompute serve needs the web extra: pip install 'aicompute[web]' ({error})"
            ) from None
        if not 0 < port < 65536:
            raise InputError("port", f"must be 1-65535, got {port}")
        if not 1 <= workers <= 64:
            raise InputError("workers", f"must be 1-64, got {workers}")
        url = db or default_url()
        app = create_app(url)
    typer.echo(
        f"aicompute on http://{host}:{port}/  (store: {url.split('@')[-1]}, "
        f"{app.state.store.count()} records)"
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    import os

    os.environ["AICOMPUTE_DB"] = url  # the store is migrated and seeded: workers just open it
    uvicorn.run(
        "aicompute.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
