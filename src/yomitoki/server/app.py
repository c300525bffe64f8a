"""The HTTP API and web UI: ``create_app(settings)`` builds the ASGI app.

Each route parses its request into typed objects, calls the core, and serializes; the answer
routes consume the same event stream as the CLI. Errors are JSON of one shape,
``{"error": {"code", "message"}}``; no traceback reaches a client.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from yomitoki import __version__
from yomitoki.errors import LLMError, YomitokiError
from yomitoki.index.store import Store
from yomitoki.ingest.pipeline import Ingester, IngestOptions
from yomitoki.rag.answer import Answerer, AnswerOptions, open_answerer
from yomitoki.server import protocol
from yomitoki.settings import Settings
from yomitoki.types import Answer, Context, Document, Event, Followups, Message, Outcome, TextDelta

log = logging.getLogger("yomitoki.server")
PUBLIC = ("/healthz", "/static/", "/favicon.ico")
NDJSON = "application/json-lines"


class ApiError(Exception):
    """An error a client caused or can act on, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class Service:
    """One index served: its answerer, and the documents in it."""

    def __init__(self, settings: Settings, answerer: Answerer | None = None) -> None:
        self.settings = settings
        self.answerer = answerer or open_answerer(settings, create=True)
        self.uploads = (settings.upload_dir or settings.index.parent / "uploads").resolve()
        self._ingest_lock = threading.Lock()

    def documents(self) -> list[Document]:
        with Store.open(self.settings.index) as store:
            return store.documents()

    def document_path(self, name: str) -> Path | None:
        """The file of the indexed document called ``name``, if it is safely inside its root."""
        for doc in self.documents():
            if doc.name != name:
                continue
            path, root = Path(doc.path), Path(doc.root)
            try:
                real, real_root = path.resolve(strict=True), root.resolve(strict=True)
            except OSError:
                return None
            inside = real == path and real.is_relative_to(real_root)
            return real if inside and real.is_file() and not path.is_symlink() else None
        return None

    def add(self, filename: str, data: bytes) -> Document:
        """Save an upload and ingest it through the same pipeline as ``yomitoki ingest``."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / filename
        with self._ingest_lock, Store.open(self.settings.index) as store:
            target.write_bytes(data)
            embedder = self.answerer.searcher.embedder
            options = IngestOptions.from_settings(self.settings)
            report = Ingester(store, embedder, options).run(target)
            (result,) = [r for r in report.results if r.name == filename]
            if result.outcome is Outcome.FAILED:
                target.unlink(missing_ok=True)
                raise ApiError(422, "unreadable_document", f"{filename}: {result.error}")
            doc = store.document_by_path(str(target.resolve()))
        self.answerer.searcher.refresh()
        assert doc is not None
        return doc

    def remove(self, doc_id: int) -> None:
        with self._ingest_lock, Store.open(self.settings.index) as store:
            matches = [d for d in store.documents() if d.id == doc_id]
            if not matches:
                raise ApiError(404, "not_found", f"no document {doc_id}")
            store.remove_document(doc_id)
            store.collect_vectors()
            path = Path(matches[0].path)
            if path.parent.resolve() == self.uploads:
                path.unlink(missing_ok=True)
        self.answerer.searcher.refresh()


def document_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "name": doc.name, "format": doc.format, "title": doc.title,
            "pages": doc.pages, "chunks": doc.chunks, "category": doc.category,
            "size": doc.size, "status": "indexed"}  # fmt: skip


def _authorized(request: Request, keys: list[str]) -> bool:
    given = request.headers.get("x-api-key", "")
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        given = given or bearer[7:].strip()
    # Compare with every key, always, so the time taken says nothing about the keys.
    found = False
    for key in keys:
        found |= hmac.compare_digest(given.encode(), key.encode())
    return found


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
    keys = [k.get_secret_value() for k in settings.api_keys]
    app = FastAPI(title="yomitoki", version=__version__,
                  description="Answers from your documents, with checked citations.")  # fmt: skip
    app.state.service = service
    static = resources.files("yomitoki.server").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.middleware("http")
    async def require_key(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        public = path == "/" or path.startswith(PUBLIC)
        if keys and not public and not _authorized(request, keys):
            return _error(401, "unauthorized", "an API key is required (Authorization: Bearer)")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        )
        return _error(400, "invalid_request", problems)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(LLMError)
    async def llm_error(_: Request, exc: LLMError) -> JSONResponse:
        return _error(502, "llm_error", str(exc))

    @app.exception_handler(YomitokiError)
    async def core_error(_: Request, exc: YomitokiError) -> JSONResponse:
        return _error(400, "invalid_request", str(exc))

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

    @app.post("/chat")
    def chat(body: protocol.ChatRequest) -> dict[str, Any]:
        """Answer the last user message; the demo's non-streaming response."""
        question, history, options = _prepare(body)
        context, answer = service.answerer.ask(question, history, options)
        return {
            "output_text": answer.text,
            "message": {"role": "assistant", "content": answer.text},
            "context": protocol.response_context(context, answer, answer.followups),
            "session_state": body.session_state,
        }

    @app.post("/chat/stream")
    def chat_stream(body: protocol.ChatRequest) -> StreamingResponse:
        """The same as NDJSON: ``response.context`` first, text deltas, then the end."""
        question, history, options = _prepare(body)

        def events() -> Iterator[dict[str, Any]]:
            context: Context | None = None
            try:
                for event in service.answerer.stream(question, history, options):
                    yield from _chat_event(event, context, body.session_state)
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

        def chunks() -> Iterator[bytes]:
            first = protocol.completion_chunk(
                body.model, {"role": "assistant", "content": ""}, None
            )
            yield f"data: {json.dumps(first)}\n\n".encode()
            try:
                for event in service.answerer.stream(question, history, options):
                    if isinstance(event, TextDelta):
                        chunk = protocol.completion_chunk(body.model, {"content": event.text}, None)
                        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
            except Exception as exc:  # noqa: BLE001 - reported in the stream
                failure = {"error": {"message": _failure_message(exc), "type": "server_error"}}
                yield f"data: {json.dumps(failure)}\n\n".encode()
            last = protocol.completion_chunk(body.model, {}, "stop")
            yield f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode()

        return StreamingResponse(chunks(), media_type="text/event-stream")

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        """The one model yomitoki serves."""
        return {"object": "list", "data": [
            {"id": "yomitoki", "object": "model", "created": 0, "owned_by": "yomitoki"}
        ]}  # fmt: skip

    @app.get("/content/{name:path}")
    def content(name: str) -> FileResponse:
        """An indexed source file; nothing outside the indexed corpus is ever served."""
        path = service.document_path(name)
        if path is None:
            raise ApiError(404, "not_found", "no such document")
        return FileResponse(path, content_disposition_type="inline")

    @app.get("/documents")
    def documents() -> dict[str, Any]:
        """Every indexed document with its status."""
        return {"documents": [document_json(d) for d in service.documents()]}

    @app.post("/documents", status_code=201)
    async def upload(file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI style
        """Upload a file; it is ingested like any other."""
        name = Path(file.filename or "").name
        if not name or name != (file.filename or "").replace("\\", "/").split("/")[-1]:
            raise ApiError(400, "invalid_request", "the upload needs a plain file name")
        suffix = Path(name).suffix.lower()
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
        doc = await run_in_threadpool(service.add, name, data)
        return document_json(doc)

    @app.delete("/documents/{doc_id}", status_code=204)
    def delete(doc_id: int) -> Response:
        """Remove a document (and its uploaded file) from the index."""
        service.remove(doc_id)
        return Response(status_code=204)

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
            "auth": bool(keys),
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


def _chat_event(event: Event, context: Context | None, state: Any) -> Iterator[dict[str, Any]]:
    """The demo's NDJSON lines for one answer event."""
    if isinstance(event, Context):
        context_json = protocol.response_context(event, None)
        yield {"type": "response.context", "context": context_json, "session_state": state}
    elif isinstance(event, TextDelta):
        yield {"type": "response.output_text.delta", "delta": event.text}
    elif isinstance(event, Followups):
        yield {"type": "response.followups", "followup_questions": list(event.questions)}
    elif isinstance(event, Answer) and context is not None:
        yield {"type": "response.completed", "output_text": event.text,
               "context": protocol.response_context(context, event, event.followups),
               "session_state": state}  # fmt: skip
