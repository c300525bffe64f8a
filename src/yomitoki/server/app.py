"""The HTTP API and web UI: ``create_app(settings)`` assembles the ASGI app.

Routes live by resource in ``server.routes``; each parses its request into typed objects,
calls the core, and serializes through ``yomitoki.serialize`` (and ``server.protocol`` for the
demo's and OpenAI's shapes). Errors are JSON of one shape, ``{"error": {"code", "message"}}``,
with the status each error class carries (``yomitoki.errors``); no traceback reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from yomitoki import __version__, assemble, syncing
from yomitoki.errors import YomitokiError
from yomitoki.rag.answer import Answerer
from yomitoki.server import protocol, security
from yomitoki.server.identity import Identities
from yomitoki.server.routes import azure, chat, content, documents, meta, openai, signin
from yomitoki.server.routes.meta import STATIC
from yomitoki.server.service import Service
from yomitoki.settings import Settings

log = logging.getLogger("yomitoki.server")
PUBLIC = ("/healthz", "/static/", "/favicon.ico", "/auth/")
#: Room for the multipart framing around an upload (boundaries, part headers, form fields).
MULTIPART_FRAMING = 64 * 1024
_error = security.error


def create_app(settings: Settings, answerer: Answerer | None = None) -> FastAPI:
    """The ASGI app over ``settings.index``; pass ``answerer`` to serve a prepared one."""
    service = Service(settings, answerer)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The setting sources, kept in sync in the background while the server runs.
        keeper = syncing.Keeper(settings, settings.sources, service.sync)
        keeper.start()
        try:
            yield
        finally:
            await run_in_threadpool(keeper.stop)

    app = FastAPI(
        title="yomitoki",
        version=__version__,
        description="Answers from your documents, with checked citations.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.identities = Identities(settings)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (chat, openai, azure, documents, content, signin, meta):
        app.include_router(module.router)
    _guard(app, settings)
    for error, handler in HANDLERS.items():
        app.add_exception_handler(error, handler)
    return app


def _guard(app: FastAPI, settings: Settings) -> None:
    """The middlewares, the last added running first: a foreign Host is refused before
    anything, a body past the upload limit before it is read, then CORS for listed origins,
    the security headers, cross-site writes, and who is asking."""
    app.add_middleware(BaseHTTPMiddleware, dispatch=identify)
    app.add_middleware(BaseHTTPMiddleware, dispatch=same_site_writes)
    app.add_middleware(BaseHTTPMiddleware, dispatch=security_headers)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "api-key", "Content-Type"],
        )
    # No body is read past the upload limit (and room for its multipart framing): a larger
    # Content-Length is refused unread, a chunked body is cut where it passes the limit.
    most = assemble.upload_bytes(settings) + MULTIPART_FRAMING
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=most)
    hosts = security.trusted_hosts(settings.host, settings.allowed_hosts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)


async def identify(request: Request, call_next: security.Call) -> Response:
    """Who is asking (a key, a bearer token or the session cookie); 401 for nobody, but on
    the UI's page, its static files, the health check and the sign-in."""
    path = request.url.path
    identities: Identities = request.app.state.identities
    principal = await run_in_threadpool(identities.of, request)
    request.state.principal = principal
    if principal is None and not (path == "/" or path.startswith(PUBLIC)):
        message = "a valid API key or bearer token is required (Authorization: Bearer)"
        return _error(401, "unauthorized", message)
    return await call_next(request)


async def same_site_writes(request: Request, call_next: security.Call) -> Response:
    """403 for a request that changes state from another site (``security.cross_site``)."""
    service: Service = request.app.state.service
    reason = security.cross_site(request, service.settings.allowed_origins)
    if reason is not None:
        return _error(
            403,
            "cross_site",
            f"{reason}; add the origin to allowed_origins to let its pages call this server",
        )
    return await call_next(request)


async def security_headers(request: Request, call_next: security.Call) -> Response:
    """Every response with the security headers (``security.headers_for``)."""
    response = await call_next(request)
    security.headers_for(request.url.path, response)
    return response


async def invalid(_: Request, exc: Exception) -> Response:
    """A request the models refuse: 400, saying where and what in words."""
    assert isinstance(exc, RequestValidationError)
    return _error(400, "invalid_request", protocol.describe_errors(exc.errors()))


async def http_error(_: Request, exc: Exception) -> Response:
    """Starlette's own errors (an unknown route, a body past the limit) in the one shape."""
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    return _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))


async def core_error(_: Request, exc: Exception) -> Response:
    """yomitoki's errors with the status and code each carries; the server's own logged."""
    assert isinstance(exc, YomitokiError)
    if exc.status >= 500:
        log.error("%s", exc)
    return _error(exc.status, exc.code, str(exc))


async def unexpected(_: Request, exc: Exception) -> Response:
    """Anything else: logged with its traceback, and a 500 that shows none of it."""
    log.exception("request failed", exc_info=exc)
    return _error(500, "internal_error", "internal error")


HANDLERS = {
    RequestValidationError: invalid,
    HTTPException: http_error,
    YomitokiError: core_error,
    Exception: unexpected,
}
