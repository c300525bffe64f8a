"""``/chat`` and ``/chat/stream``: azure-search-openai-demo's chat protocol."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from yomitoki.errors import YomitokiError
from yomitoki.rag.answer import AnswerOptions, collect
from yomitoki.server import protocol
from yomitoki.server.routes import Asking, Served, for_principal
from yomitoki.server.service import Service
from yomitoki.types import Answer, Context, Event, Followups, Message, Principal, TextDelta

log = logging.getLogger("yomitoki.server")
router = APIRouter()
NDJSON = "application/json-lines"


def prepare(
    service: Service, body: protocol.ChatRequest, principal: Principal
) -> tuple[str, list[Message], AnswerOptions]:
    """The question, the conversation before it, and the options with the overrides applied
    and restricted to what ``principal`` may read."""
    try:
        question, history = body.turns()
    except ValueError as exc:
        raise YomitokiError(str(exc)) from None
    if not question.strip():
        raise YomitokiError("the question is empty")
    options = body.context.overrides.apply(service.answerer.options)
    return question, history, for_principal(options, principal)


def failure_message(exc: Exception) -> str:
    """What a stream's last line says when the answer failed half-way."""
    if isinstance(exc, YomitokiError):
        return str(exc)
    log.exception("answer failed")
    return "internal error: the answer could not be completed"


def _ignored(service: Service, body: protocol.ChatRequest) -> list[str]:
    ignored = body.context.overrides.ignored(service.answerer.llm is not None)
    return ignored + (["auth_claims"] if body.context.auth_claims is not None else [])


@router.post("/chat")
def chat(body: protocol.ChatRequest, service: Served, principal: Asking) -> dict[str, Any]:
    """Answer the last user message; the demo's non-streaming response."""
    question, history, options = prepare(service, body, principal)
    context, answer = collect(service.answer(principal, "/chat", question, history, options))
    ignored = _ignored(service, body)
    return {
        "output_text": answer.text,
        "message": {"role": "assistant", "content": answer.text},
        "context": protocol.response_context(context, answer, answer.followups, ignored),
        "session_state": body.session_state,
    }


@router.post("/chat/stream")
def chat_stream(
    body: protocol.ChatRequest, service: Served, principal: Asking
) -> StreamingResponse:
    """The same as NDJSON: ``response.context`` first, text deltas, then the end."""
    question, history, options = prepare(service, body, principal)
    ignored = _ignored(service, body)

    def events() -> Iterator[bytes]:
        context: Context | None = None
        try:
            answering = service.answer(principal, "/chat/stream", question, history, options)
            for event in answering:
                for line in _chat_event(event, context, body.session_state, ignored):
                    yield (json.dumps(line, ensure_ascii=False) + "\n").encode()
                if isinstance(event, Context):
                    context = event
        except Exception as exc:  # noqa: BLE001 - reported as the stream's last line
            yield (json.dumps({"error": failure_message(exc)}, ensure_ascii=False) + "\n").encode()

    return StreamingResponse(events(), media_type=NDJSON)


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
        yield {
            "type": "response.completed",
            "output_text": event.text,
            "context": protocol.response_context(context, event, event.followups, ignored),
            "session_state": state,
        }
