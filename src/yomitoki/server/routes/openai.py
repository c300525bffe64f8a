"""``/v1/chat/completions`` and ``/v1/models``: yomitoki as an OpenAI-compatible model whose
answers carry checked citations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from yomitoki.rag.answer import collect
from yomitoki.server import openai_shapes, protocol
from yomitoki.server.routes import Asking, Served
from yomitoki.server.routes.chat import failure_message, prepare
from yomitoki.types import Answer, Context, TextDelta

router = APIRouter()


@router.post("/v1/chat/completions", response_model=None)
def completions(
    body: protocol.CompletionRequest, service: Served, principal: Asking
) -> dict[str, Any] | StreamingResponse:
    """A chat completion whose content is the cited answer; streamed as SSE on request."""
    openai_shapes.check_model(body.model)
    request = protocol.ChatRequest(messages=body.messages)
    question, history, options = prepare(service, request, principal)
    if body.temperature is not None:
        options = protocol.Overrides(temperature=body.temperature).apply(options)
    if not body.stream:
        route = "/v1/chat/completions"
        context, answer = collect(service.answer(principal, route, question, history, options))
        return openai_shapes.completion(context, answer, body.model)
    cid = openai_shapes.completion_id()

    def chunks() -> Iterator[bytes]:
        yield openai_shapes.sse(
            openai_shapes.completion_chunk(
                cid, body.model, {"role": "assistant", "content": ""}, None
            )
        )
        context, answer = None, None
        try:
            route = "/v1/chat/completions"
            for event in service.answer(principal, route, question, history, options):
                if isinstance(event, TextDelta):
                    yield openai_shapes.sse(
                        openai_shapes.completion_chunk(
                            cid, body.model, {"content": event.text}, None
                        )
                    )
                elif isinstance(event, Context):
                    context = event
                elif isinstance(event, Answer):
                    answer = event
        except Exception as exc:  # noqa: BLE001 - reported in the stream
            yield openai_shapes.stream_failure(failure_message(exc))
        yield openai_shapes.sse(openai_shapes.completion_chunk(cid, body.model, {}, "stop"))
        wanted = body.stream_options is not None and body.stream_options.include_usage
        if wanted and context is not None and answer is not None:
            # OpenAI's last chunk when asked: no choices, the completion's usage.
            last = openai_shapes.completion_chunk(cid, body.model, {}, None)
            yield openai_shapes.sse(
                {**last, "choices": [], "usage": openai_shapes.usage(context, answer)}
            )
        yield openai_shapes.SSE_DONE

    return StreamingResponse(chunks(), media_type="text/event-stream")


@router.get("/v1/models")
def models() -> dict[str, Any]:
    """The one model yomitoki serves."""
    return {
        "object": "list",
        "data": [
            {"id": openai_shapes.MODEL, "object": "model", "created": 0, "owned_by": "yomitoki"}
        ],
    }
