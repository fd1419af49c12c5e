"""An ASGI app served by uvicorn in a thread, for tests that need a real socket.

The socket is bound and listening before the server starts, so a client may connect at once:
its connection waits in the backlog until uvicorn accepts it. No test polls or sleeps to wait
for start-up.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serving(app: Any, log_level: str = "warning") -> Iterator[tuple[str, Any]]:
    """Serve ``app`` on a free loopback port; yield (base URL, the uvicorn server)."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def web_app(folder: Any) -> Iterator[str]:
    """The web app over a fresh SQLite file in ``folder``, seeded, served; yields its base URL
    (the browser tests' server: each test module gets its own store)."""
    from aicompute.web import create_app

    with serving(create_app(f"sqlite:///{folder / 'app.db'}")) as (base, _server):
        yield base
