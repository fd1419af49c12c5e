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
    token: Annotated[
        Optional[str],
        typer.Option(
            "--token",
            help="Access token the app requires ('auto' makes one). Default: none on loopback; "
            "made for you when --host reaches beyond this machine.",
        ),
    ] = None,
    allow_host: Annotated[
        Optional[list[str]],
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="Also accept requests addressed to this host name (repeatable; '*' for any).",
        ),
    ] = None,
) -> None:
    """Start the web app: explorer, records, calculator and a shared store of records."""
    import os
    import secrets

    with user_errors():
        from aicompute.errors import InputError

        try:
            import uvicorn

            from aicompute.store import default_url
            from aicompute.web import create_app
            from aicompute.web.security import Settings, is_loopback
        except ImportError as error:
            raise InputError(
                None, f"aicompute serve needs the web extra: pip install 'aicompute[web]' ({error})"
            ) from None
        if not 0 < port < 65536:
            raise InputError("port", f"must be 1-65535, got {port}")
        if not 1 <= workers <= 64:
            raise InputError("workers", f"must be 1-64, got {workers}")
        if token is not None and token != "auto" and len(token) < 16:
            raise InputError("token", "use at least 16 characters, or 'auto'")
        if token == "auto" or (token is None and not is_loopback(host)):
            token = secrets.token_urlsafe(24)
        hosts = tuple(h.strip().lower() for h in allow_host or [] if h.strip())
        settings = Settings(host=host, allowed_hosts=hosts, token=token)
        url = db or default_url()
        app = create_app(url, settings=settings)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(
        f"aicompute on {address}  (store: {url.split('@')[-1]}, {app.state.store.count()} records)"
    )
    if not is_loopback(host):
        typer.echo(
            "The app is reachable beyond this machine: anyone with the URL above can edit the "
            "records. Use HTTPS in front of it on untrusted networks.",
            err=True,
        )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # the store is migrated and seeded: workers just open it, with the same settings
    os.environ.update(
        AICOMPUTE_DB=url,
        AICOMPUTE_HOST=host,
        AICOMPUTE_ALLOWED_HOSTS=",".join(hosts),
        AICOMPUTE_TOKEN=token or "",
        AICOMPUTE_CSRF_SECRET=settings.csrf_secret,
    )
    uvicorn.run(
        "aicompute.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
