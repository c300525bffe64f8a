"""The HTTP API and web UI: ``create_app(settings)`` assembles the ASGI app.

Routes live by resource in ``server.routes``; each parses its request into typed objects,
calls the core, and serializes through ``yomitoki.serialize`` (and ``server.protocol`` for the
demo's and OpenAI's shapes). Errors are JSON of one shape, ``{"error": {"code", "message"}}``,
with the status each error class carries (``yomitoki.errors``); no traceback reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from yomitoki import __version__
from yomitoki.errors import YomitokiError
from yomitoki.rag.answer import Answerer
from yomitoki.server import protocol, security
from yomitoki.server.identity import Identities
from yomitoki.server.routes import chat, content, documents, meta, openai, signin
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
    identities = Identities(settings)
    app = FastAPI(
        title="yomitoki",
        version=__version__,
        description="Answers from your documents, with checked citations.",
    )
    app.state.service = Service(settings, answerer)
    app.state.identities = identities
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (chat, openai, documents, content, signin, meta):
        app.include_router(module.router)

    @app.middleware("http")
    async def identify(request: Request, call_next: security.Call) -> Response:
        path = request.url.path
        principal = await run_in_threadpool(identities.of, request)
        request.state.principal = principal
        if principal is None and not (path == "/" or path.startswith(PUBLIC)):
            message = "a valid API key or bearer token is required (Authorization: Bearer)"
            return _error(401, "unauthorized", message)
        return await call_next(request)

    @app.middleware("http")
    async def same_site_writes(request: Request, call_next: security.Call) -> Response:
        reason = security.cross_site(request, settings.allowed_origins)
        if reason is not None:
            return _error(
                403,
                "cross_site",
                f"{reason}; add the origin to allowed_origins to let its pages call this server",
            )
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: security.Call) -> Response:
        response = await call_next(request)
        security.headers_for(request.url.path, response)
        return response

    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    # No body is read past the upload limit (and room for its multipart framing): a larger
    # Content-Length is refused unread, a chunked body is cut where it passes the limit.
    most = int(settings.upload_max_mb * 2**20) + MULTIPART_FRAMING
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=most)
    # Added last, so it runs first: a foreign Host reaches no route, key check or CORS.
    hosts = security.trusted_hosts(settings.host, settings.allowed_hosts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "invalid_request", protocol.describe_errors(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        code = codes.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(YomitokiError)
    async def core_error(_: Request, exc: YomitokiError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s", exc)
        return _error(exc.status, exc.code, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("request failed", exc_info=exc)
        return _error(500, "internal_error", "internal error")

    return app
