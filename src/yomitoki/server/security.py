"""What keeps other web pages and planted documents out: headers, origin checks, keys.

Every response gets ``nosniff`` and ``Referrer-Policy``; the UI gets a strict CSP and may not
be framed. Requests that change state or spend money (every method but GET/HEAD/OPTIONS) are
refused when a browser marks them as coming from another site (``Sec-Fetch-Site``) or names
another ``Origin``, unless that origin is listed in ``allowed_origins``; clients that are not
browsers send neither header and are unaffected. A request naming a host the server is not
reached by (DNS rebinding) gets 400 before any route (``trusted_hosts``). (Who is asking,
and the 401 for nobody, is ``server.app.identify`` over ``server.identity``.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The UI: its own scripts and styles only, nothing inline, framed by no one.
UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: A document's bytes: no script, no plugin, no form, framed only by the UI.
DOCUMENT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
#: PDFs are shown by the browser's own viewer, which a sandbox would block (Chromium refuses
#: PDFs in sandboxed frames); the viewer runs apart from the page's origin.
PDF_POLICY = "default-src 'none'; frame-ancestors 'self'"

#: What the UI shows in a frame: documents, under their own policy.
FRAMED = ("/content/", "/view/")

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


#: Addresses that listen on every interface: the Host a client uses cannot be known.
_EVERY_INTERFACE = frozenset({"0.0.0.0", "::", "[::]", ""})


def trusted_hosts(listening: str, allowed: Sequence[str]) -> list[str]:
    """The Host header values a server listening on ``listening`` answers (``*``: any).

    A page on another site that rebinds its name to this machine's address sends its own
    name as Host: only the names the server is reached by are admitted.
    """
    if "*" in allowed or (listening in _EVERY_INTERFACE and not allowed):
        return ["*"]
    own = [] if listening in _EVERY_INTERFACE else [listening.lower()]
    if is_loopback(listening):
        own += ["127.0.0.1", "localhost", "[::1]"]
    if ":" in listening and not listening.startswith("["):
        own.append(f"[{listening.lower()}]")  # an IPv6 address as a Host header writes it
    return list(dict.fromkeys([*own, *(a.lower() for a in allowed)]))


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


def headers_for(path: str, response: Response) -> None:
    """The security headers every response carries; a route may have set its own CSP."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not path.startswith(FRAMED):
        response.headers.setdefault("Content-Security-Policy", UI_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
