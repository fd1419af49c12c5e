"""The web app's guard: who may drive it, and how much one request may ask.

The app runs on the user's machine, usually on loopback, while the same browser visits other
sites. :class:`Guard` is one ASGI middleware that, before any route runs:

- refuses a Host header the app is not served under (DNS rebinding: a foreign page whose name
  now points at 127.0.0.1 would otherwise be "same origin" with the app);
- when an access token is set, refuses requests without it (header, cookie, or ``?token=``
  once, which sets the cookie);
- refuses cross-site requests to the API and state changes that a foreign page could send
  (forms, ``text/plain`` fetches): writes must be JSON, from the app's own origin, and when they
  come from a browser, carry the page's CSRF token;
- caps the request body;
- adds headers that stop framing and content sniffing;
- turns any unhandled error into a JSON 500 without dropping the connection.

The threat model is in ``docs/web.md``.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["Guard", "Settings", "is_loopback"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("aicompute.web")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
TOKEN_COOKIE = "aicompute_token"
CSRF_HEADER = "x-csrf-token"
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass(frozen=True)
class Settings:
    """How the app is served and what one request may ask; :func:`create_app` takes one.

    ``host`` is the address the server is bound to: on loopback, only loopback host names are
    accepted (plus ``allowed_hosts``); bound beyond loopback, any Host is accepted unless
    ``allowed_hosts`` lists them, and ``token`` should be set (``aicompute serve`` sets one).
    """

    host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    token: str | None = None
    csrf_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_body: int = 1_000_000
    """Bytes in one request body (a record is a few KB; the largest architecture text 100 KB)."""
    time_limit: float = 20.0
    """Seconds a computation (estimate, fit, chart) may run before the request answers 503."""
    heavy_workers: int = 2
    """Computations running at once; more wait their turn, so reads never starve."""
    request_threads: int = 8
    """Threads running the routes' blocking work (database reads and writes) per server
    process. More only queue on Python's interpreter lock: with 40 (anyio's default) a list
    read cost 2.7 ms of CPU under 50 clients, mostly spent waiting for the lock."""
    page_size: int = 100
    max_page_size: int = 1000

    @property
    def csrf_token(self) -> str:
        """The token pages send back with their writes (the same in every worker process)."""
        return hmac.new(self.csrf_secret.encode(), b"csrf", "sha256").hexdigest()

    def host_allowed(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        if "*" in self.allowed_hosts or name in self.allowed_hosts:
            return True
        if name in LOOPBACK_NAMES or name.endswith(".localhost"):
            return True
        if is_loopback(self.host):
            return False
        return not self.allowed_hosts


def is_loopback(host: str) -> bool:
    """Whether an address or name only reaches this machine."""
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _hostname(host: str) -> str:
    """``example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class RefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in present
                ]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            redirect = self._check(scope, headers)
            if redirect is not None:
                await _respond(
                    send_guarded,
                    303,
                    None,
                    [(b"location", redirect[0].encode()), (b"set-cookie", redirect[1].encode())],
                )
                return
            receive = await self._bounded(scope, headers, receive)
        except RefusedError as refused:
            page = "text/html" in headers.get("accept", "") and not scope["path"].startswith(
                "/api/"
            )
            await _respond(send_guarded, refused.status, refused.message, html=page)
            return
        try:
            await self.app(scope, receive, send_guarded)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _respond(send_guarded, 500, "internal error (the server log has the details)")

    def _check(self, scope: Scope, headers: dict[str, str]) -> tuple[str, str] | None:
        """Refuse what the module docstring lists; a redirect (location, cookie) when a page
        was opened with ``?token=``."""
        s = self.settings
        host = headers.get("host", "")
        if not s.host_allowed(_hostname(host)):
            raise RefusedError(
                403,
                f"host {host[:100]!r} is not allowed: open the app at the address "
                "'aicompute serve' printed (serve it with --allow-host NAME to use another name)",
            )
        method = scope["method"]
        path = scope["path"]
        api = path.startswith("/api/") or path in {"/openapi.json", "/docs", "/redoc"}
        site = headers.get("sec-fetch-site")
        if site in {"cross-site", "same-site"} and (
            method in UNSAFE or (api and headers.get("sec-fetch-mode") != "navigate")
        ):
            raise RefusedError(403, "cross-site requests to this app are refused")
        if s.token:
            redirect = self._authenticate(scope, headers, api)
            if redirect:
                return redirect
        if method in UNSAFE:
            origin = headers.get("origin")
            scheme = scope.get("scheme", "http")
            if origin is not None and origin != f"{scheme}://{host}":
                raise RefusedError(403, f"writes from origin {origin[:100]!r} are refused")
            if method != "DELETE":
                kind = headers.get("content-type", "").split(";")[0].strip().lower()
                if kind != "application/json":
                    raise RefusedError(
                        415, "send the body as JSON (Content-Type: application/json)"
                    )
            browser = origin is not None or site is not None or "cookie" in headers
            given = headers.get(CSRF_HEADER, "")
            if browser and not hmac.compare_digest(given.encode(), s.csrf_token.encode()):
                raise RefusedError(
                    403,
                    "the CSRF token is missing or stale: reload the page and try again "
                    f"(scripts send the page's token in the {CSRF_HEADER} header)",
                )
        return None

    def _authenticate(
        self, scope: Scope, headers: dict[str, str], api: bool
    ) -> tuple[str, str] | None:
        token = self.settings.token or ""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        auth = headers.get("authorization", "")
        candidates = [
            auth.split(" ", 1)[1] if " " in auth else "",
            _cookies(headers.get("cookie", "")).get(TOKEN_COOKIE, ""),
            query.get("token", ""),
        ]
        if not any(hmac.compare_digest(c.encode(), token.encode()) for c in candidates if c):
            raise RefusedError(
                403,
                "this app needs its access token: open the URL 'aicompute serve' printed, or "
                "send 'Authorization: token TOKEN'",
            )
        if query.get("token") and not api and scope["method"] == "GET":
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            location = scope["path"] + (f"?{rest}" if rest else "")
            cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            return location, cookie
        return None

    async def _bounded(self, scope: Scope, headers: dict[str, str], receive: Receive) -> Receive:
        """Read the body up to the limit (413 past it) and replay it to the app."""
        if scope["method"] not in UNSAFE:
            return receive
        limit = self.settings.max_body
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise RefusedError(413, f"the request body is over the limit of {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise RefusedError(413, f"the request body is over the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


def _cookies(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


async def _respond(
    send: Send,
    status: int,
    message: str | None,
    extra: list[tuple[bytes, bytes]] | None = None,
    html: bool = False,
) -> None:
    """A refusal: JSON ``{"detail": message}``, or a short page for a browser's page request."""
    kind = b"text/html; charset=utf-8" if html else b"application/json"
    if message is None:
        body = b""
    elif html:
        text = escape(message[:1].upper() + message[1:])
        body = (
            '<!doctype html><html lang="en"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>Refused · aicompute</title><body style="font-family: sans-serif; '
            f'margin: 2em; max-width: 40em"><h1>Refused</h1><p>{text}.</p></body></html>'
        ).encode()
    else:
        body = json.dumps({"detail": message}).encode()
    headers = [(b"content-length", str(len(body)).encode())] + (extra or [])
    if message is not None:
        headers.append((b"content-type", kind))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
