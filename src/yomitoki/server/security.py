"""What keeps other web pages and planted documents out: headers, origin checks, keys.

Every response gets ``nosniff`` and ``Referrer-Policy``; the UI gets a strict CSP and may not
be framed. Requests that change state or spend money (every method but GET/HEAD/OPTIONS) are
refused when a browser marks them as coming from another site (``Sec-Fetch-Site``) or names
another ``Origin``, unless that origin is listed in ``allowed_origins``; clients that are not
browsers send neither header and are unaffected. A request without a valid key or session
cookie gets 401 when keys are configured.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "yomitoki_session"
SESSION_SECONDS = 12 * 3600
#: The UI: its own scripts and styles only, nothing inline, framed by no one.
UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: A document's bytes: no script, no plugin, no form, framed only by the UI.
DOCUMENT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
#: PDFs are shown by the browser's own viewer, which a sandbox would block (Chromium refuses
#: PDFs in sandboxed frames); the viewer runs apart from the page's origin.
PDF_POLICY = "default-src 'none'; frame-ancestors 'self'"

Call = Callable[[Request], Awaitable[Response]]


def error(status: int, code: str, message: str) -> JSONResponse:
    """The one error shape: ``{"error": {"code", "message"}}``."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server to this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(request: Request, allowed: Sequence[str]) -> str | None:
    """Why a state-changing request must be refused as cross-site, or None when it may pass."""
    if request.method in SAFE_METHODS:
        return None
    origin = request.headers.get("origin")
    if origin is not None and _origin_of(origin) in {_origin_of(a) for a in allowed}:
        return None
    site = request.headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return f"the browser marked this request as {site}"
    if origin is not None:
        host = request.headers.get("host", "").lower()
        if origin == "null" or urlsplit(origin).netloc.lower() != host:
            return f"requests from origin {origin} may not change anything here"
    return None


class Keys:
    """The configured API keys and the sessions the UI signs in to with one."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = [k.encode() for k in keys]
        self._sessions: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def required(self) -> bool:
        """Whether any request but the public ones needs a key."""
        return bool(self._keys)

    def valid(self, given: str) -> bool:
        """Whether ``given`` is a key; compared with every key so the time says nothing."""
        found = False
        for key in self._keys:
            found |= hmac.compare_digest(given.encode(), key)
        return found

    def start_session(self) -> str:
        """A new session token for the HttpOnly cookie; the key itself never reaches it."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._sessions = {t: end for t, end in self._sessions.items() if end > now}
            self._sessions[token] = now + SESSION_SECONDS
        return token

    def end_session(self, token: str) -> None:
        """Forget a session (sign-out)."""
        with self._lock:
            self._sessions.pop(token, None)

    def in_session(self, token: str) -> bool:
        """Whether ``token`` is a live session."""
        with self._lock:
            end = self._sessions.get(token)
        return end is not None and end > time.monotonic()

    def authorized(self, request: Request) -> bool:
        """A key in ``Authorization: Bearer`` or ``X-API-Key``, or a session cookie."""
        given = request.headers.get("x-api-key", "")
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if given:
            return self.valid(given)
        return self.in_session(request.cookies.get(SESSION_COOKIE, ""))


def headers_for(path: str, response: Response) -> None:
    """The security headers every response carries; a route may have set its own CSP."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not path.startswith("/content/"):
        response.headers.setdefault("Content-Security-Policy", UI_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
