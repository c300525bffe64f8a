"""The HTTP API and web UI: ``create_app(settings)`` builds the ASGI app.

Each route parses its request into typed objects, calls the core, and serializes; the answer
routes consume the same event stream as the CLI. Errors are JSON of one shape,
``{"error": {"code", "message"}}``; no traceback reaches a client.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from yomitoki import __version__
from yomitoki.errors import (
    EmbedderError,
    IndexBusyError,
    InvalidNameError,
    LLMError,
    NameTakenError,
    StoreError,
    YomitokiError,
)
from yomitoki.index.store import damaged, is_damage
from yomitoki.ingest.names import check_part
from yomitoki.rag.answer import Answerer, AnswerOptions
from yomitoki.server import protocol, security
from yomitoki.server.content import content_response
from yomitoki.server.service import Service, UnreadableUploadError
from yomitoki.settings import Settings
from yomitoki.types import Answer, Context, Document, Event, Followups, Message, TextDelta

log = logging.getLogger("yomitoki.server")
PUBLIC = ("/healthz", "/static/", "/favicon.ico", "/auth/session")
NDJSON = "application/json-lines"
_error = security.error
# Core errors a client can act on, with their status and code; any other YomitokiError is a
# bad request, and faults of the index or the embedder are the server's (500).
_STATUS: tuple[tuple[type[YomitokiError], int, str], ...] = (
    (InvalidNameError, 400, "invalid_name"),
    (NameTakenError, 409, "exists"),
    (UnreadableUploadError, 422, "unreadable_document"),
    (IndexBusyError, 503, "busy"),
    (LLMError, 502, "llm_error"),
    (StoreError, 500, "index_error"),
    (EmbedderError, 500, "embedder_error"),
)


class SignIn(BaseModel):
    """``POST /auth/session``: an API key exchanged for an HttpOnly session cookie."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=1000)


class ApiError(Exception):
    """An error a client caused or can act on, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def document_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "name": doc.name, "format": doc.format, "title": doc.title,
            "pages": doc.pages, "chunks": doc.chunks, "category": doc.category,
            "size": doc.size, "status": "indexed"}  # fmt: skip


def _ndjson(events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for event in events:
        yield (json.dumps(event, ensure_ascii=False) + "\n").encode()


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, YomitokiError):
        return str(exc)
    log.exception("answer failed")
    return "internal error: the answer could not be completed"


def create_app(settings: Settings, answerer: Answerer | None = None) -> FastAPI:
    """The ASGI app over ``settings.index``; pass ``answerer`` to serve a prepared one."""
    service = Service(settings, answerer)
    keys = security.Keys([k.get_secret_value() for k in settings.api_keys])
    app = FastAPI(title="yomitoki", version=__version__,
                  description="Answers from your documents, with checked citations.")  # fmt: skip
    app.state.service = service
    static = resources.files("yomitoki.server").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.middleware("http")
    async def require_key(request: Request, call_next: security.Call) -> Response:
        path = request.url.path
        public = path == "/" or path.startswith(PUBLIC)
        if keys.required and not public and not keys.authorized(request):
            return _error(401, "unauthorized", "an API key is required (Authorization: Bearer)")
        return await call_next(request)

    @app.middleware("http")
    async def same_site_writes(request: Request, call_next: security.Call) -> Response:
        reason = security.cross_site(request, settings.allowed_origins)
        if reason is not None:
            return _error(403, "cross_site", f"{reason}; add the origin to allowed_origins "
                                             "to let its pages call this server")  # fmt: skip
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: security.Call) -> Response:
        response = await call_next(request)
        security.headers_for(request.url.path, response)
        return response

    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "invalid_request", protocol.describe_errors(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(YomitokiError)
    async def core_error(_: Request, exc: YomitokiError) -> JSONResponse:
        for kind, status, code in _STATUS:
            if isinstance(exc, kind):
                if status >= 500:
                    log.error("%s", exc)
                return _error(status, code, str(exc))
        return _error(400, "invalid_request", str(exc))

    @app.exception_handler(sqlite3.DatabaseError)
    async def index_damaged(request: Request, exc: sqlite3.DatabaseError) -> JSONResponse:
        if not is_damage(exc):
            return await unexpected(request, exc)
        message = damaged(settings.index, exc)
        log.error("%s", message)
        return _error(500, "index_error", message)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("request failed", exc_info=exc)
        return _error(500, "internal_error", "internal error")

    def _prepare(body: protocol.ChatRequest) -> tuple[str, list[Message], AnswerOptions]:
        try:
            question, history = body.turns()
        except ValueError as exc:
            raise ApiError(400, "invalid_request", str(exc)) from None
        if not question.strip():
            raise ApiError(400, "invalid_request", "the question is empty")
        return question, history, body.context.overrides.apply(service.answerer.options)

    def _ignored(body: protocol.ChatRequest) -> list[str]:
        ignored = body.context.overrides.ignored(service.answerer.llm is not None)
        return ignored + (["auth_claims"] if body.context.auth_claims is not None else [])

    @app.post("/chat")
    def chat(body: protocol.ChatRequest) -> dict[str, Any]:
        """Answer the last user message; the demo's non-streaming response."""
        question, history, options = _prepare(body)
        context, answer = service.answerer.ask(question, history, options)
        return {
            "output_text": answer.text,
            "message": {"role": "assistant", "content": answer.text},
            "context": protocol.response_context(context, answer, answer.followups, _ignored(body)),
            "session_state": body.session_state,
        }

    @app.post("/chat/stream")
    def chat_stream(body: protocol.ChatRequest) -> StreamingResponse:
        """The same as NDJSON: ``response.context`` first, text deltas, then the end."""
        question, history, options = _prepare(body)
        ignored = _ignored(body)

        def events() -> Iterator[dict[str, Any]]:
            context: Context | None = None
            try:
                for event in service.answerer.stream(question, history, options):
                    yield from _chat_event(event, context, body.session_state, ignored)
                    if isinstance(event, Context):
                        context = event
            except Exception as exc:  # noqa: BLE001 - reported as the stream's last line
                yield {"error": _failure_message(exc)}

        return StreamingResponse(_ndjson(events()), media_type=NDJSON)

    @app.post("/v1/chat/completions", response_model=None)
    def completions(body: protocol.CompletionRequest) -> dict[str, Any] | StreamingResponse:
        """OpenAI-compatible: yomitoki as a model whose answers carry citations."""
        request = protocol.ChatRequest(messages=body.messages)
        question, history, options = _prepare(request)
        if body.temperature is not None:
            options = protocol.Overrides(temperature=body.temperature).apply(options)
        if not body.stream:
            _, answer = service.answerer.ask(question, history, options)
            return protocol.completion(answer, body.model)
        cid = protocol.completion_id()

        def chunks() -> Iterator[bytes]:
            first = protocol.completion_chunk(
                cid, body.model, {"role": "assistant", "content": ""}, None
            )
            yield f"data: {json.dumps(first)}\n\n".encode()
            try:
                for event in service.answerer.stream(question, history, options):
                    if isinstance(event, TextDelta):
                        chunk = protocol.completion_chunk(
                            cid, body.model, {"content": event.text}, None
                        )
                        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
            except Exception as exc:  # noqa: BLE001 - reported in the stream
                failure = {"error": {"message": _failure_message(exc), "type": "server_error"}}
                yield f"data: {json.dumps(failure)}\n\n".encode()
            last = protocol.completion_chunk(cid, body.model, {}, "stop")
            yield f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode()

        return StreamingResponse(chunks(), media_type="text/event-stream")

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        """The one model yomitoki serves."""
        return {"object": "list", "data": [
            {"id": "yomitoki", "object": "model", "created": 0, "owned_by": "yomitoki"}
        ]}  # fmt: skip

    @app.get("/content/{name:path}")
    def content(name: str) -> Response:
        """An indexed source file, never run as a page of this app (see server.content)."""
        doc = service.document(name)
        path = service.document_path(doc) if doc is not None else None
        if doc is None or path is None:
            raise ApiError(404, "not_found", "no such document")
        return content_response(path, doc.format, doc.name)

    @app.get("/documents")
    def documents() -> dict[str, Any]:
        """Every indexed document with its status."""
        return {"documents": [document_json(d) for d in service.documents()]}

    @app.post("/documents", status_code=201)
    async def upload(
        file: UploadFile = File(...),  # noqa: B008 - FastAPI style
        replace: bool = Query(False, description="Replace a document of the same name."),
    ) -> dict[str, Any]:
        """Upload a file; it is ingested like any other, or nothing changes."""
        name = check_part(file.filename or "")
        suffix = PurePath(name).suffix.lower()
        if suffix not in settings.upload_types:
            allowed = ", ".join(settings.upload_types)
            raise ApiError(
                415, "unsupported_type", f"'{suffix}' files are not accepted ({allowed})"
            )
        limit = int(settings.upload_max_mb * 2**20)
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise ApiError(
                413, "too_large", f"uploads are limited to {settings.upload_max_mb:g} MiB"
            )
        doc = await run_in_threadpool(service.add, name, data, replace)
        return document_json(doc)

    @app.delete("/documents/{doc_id}", status_code=204)
    def delete(doc_id: int) -> Response:
        """Remove a document (and its uploaded file) from the index."""
        if service.remove(doc_id) is None:
            raise ApiError(404, "not_found", f"no document {doc_id}")
        return Response(status_code=204)

    @app.post("/auth/session")
    def sign_in(body: SignIn, request: Request) -> JSONResponse:
        """Exchange an API key for an HttpOnly session cookie; the UI keeps no key."""
        if not keys.required:
            return JSONResponse({"signed_in": False, "auth": False})
        if not keys.valid(body.key):
            return _error(401, "unauthorized", "that key is not valid")
        response = JSONResponse({"signed_in": True, "auth": True})
        response.set_cookie(
            security.SESSION_COOKIE, keys.start_session(), max_age=security.SESSION_SECONDS,
            httponly=True, samesite="strict", secure=request.url.scheme == "https",
        )  # fmt: skip
        return response

    @app.delete("/auth/session", status_code=204)
    def sign_out(request: Request) -> Response:
        """End the session of the cookie sent."""
        keys.end_session(request.cookies.get(security.SESSION_COOKIE, ""))
        response = Response(status_code=204)
        response.delete_cookie(security.SESSION_COOKIE, httponly=True, samesite="strict")
        return response

    @app.get("/config")
    def config() -> dict[str, Any]:
        """What the UI needs to know about this server."""
        options = service.answerer.options
        return {
            "version": __version__,
            "answerer": service.answerer.name,
            "llm": service.answerer.llm is not None,
            "retrieval_mode": options.mode.value,
            "top": options.sources,
            "temperature": options.temperature,
            "followups": options.followups,
            "categories": sorted({d.category for d in service.documents() if d.category}),
            "upload_types": settings.upload_types,
            "upload_max_mb": settings.upload_max_mb,
            "auth": keys.required,
        }

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        """The chat UI."""
        return static.joinpath("index.html").read_text(encoding="utf-8")

    return app


def _chat_event(
    event: Event, context: Context | None, state: Any, ignored: list[str]
) -> Iterator[dict[str, Any]]:
    """The demo's NDJSON lines for one answer event."""
    if isinstance(event, Context):
        context_json = protocol.response_context(event, None, (), ignored)
        yield {"type": "response.context", "context": context_json, "session_state": state}
    elif isinstance(event, TextDelta):
        yield {"type": "response.output_text.delta", "delta": event.text}
    elif isinstance(event, Followups):
        yield {"type": "response.followups", "followup_questions": list(event.questions)}
    elif isinstance(event, Answer) and context is not None:
        yield {"type": "response.completed", "output_text": event.text,
               "context": protocol.response_context(context, event, event.followups, ignored),
               "session_state": state}  # fmt: skip
