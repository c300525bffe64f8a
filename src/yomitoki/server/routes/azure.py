"""``/openai/deployments/{deployment}/chat/completions``: Azure OpenAI's chat completions, On
Your Data included (``server.on_your_data``), so its clients work with only the endpoint and
the key changed. The key comes as ``api-key`` (Azure's header) or as a bearer token; the same
principals and permissions hold as on every route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from yomitoki.errors import NotFoundError, YomitokiError
from yomitoki.rag.answer import collect
from yomitoki.rag.closed_book import ClosedBook
from yomitoki.server import on_your_data, openai_shapes, protocol
from yomitoki.server.on_your_data import OnYourDataRequest, References
from yomitoki.server.routes import Asking, Served
from yomitoki.server.routes.chat import failure_message, prepare
from yomitoki.server.service import Service
from yomitoki.types import Answer, Context, TextDelta

router = APIRouter()
ROUTE = "/openai/deployments/{deployment}/chat/completions"


@router.post(ROUTE, response_model=None)
def deployment_completions(
    deployment: str,
    body: OnYourDataRequest,
    request: Request,
    service: Served,
    principal: Asking,
    api_version: str = Query(alias="api-version", max_length=40),
) -> dict[str, Any] | StreamingResponse:
    """A chat completion as Azure OpenAI answers it; with ``data_sources``, from the
    documents the asker may read, citing ``[docN]``; without, from the configured LLM."""
    if api_version not in on_your_data.API_VERSIONS:
        supported = ", ".join(on_your_data.API_VERSIONS)
        raise NotFoundError(f"api-version {api_version} is not supported here ({supported})")
    chat_request = protocol.ChatRequest(messages=body.messages)
    question, history, options = prepare(service, chat_request, principal)
    if body.temperature is not None:
        options = protocol.Overrides(temperature=body.temperature).apply(options)
    if body.data_sources is None:
        return _without_documents(service, question, options.temperature, deployment, body.stream)
    (source,) = body.data_sources
    has_llm = service.answerer.llm is not None
    options = on_your_data.options_for(options, source, has_llm)
    every = "all_retrieved_documents" in (source.parameters.include_contexts or [])
    base = str(request.base_url).rstrip("/")
    ignored = on_your_data.ignored(source, has_llm)
    events = service.answer(principal, ROUTE, question, history, options)
    if not body.stream:
        context, answer = collect(events)
        references = References(context, base, ignored)
        return on_your_data.completion(context, answer, references, deployment, every)
    return StreamingResponse(
        _streamed(events, base, ignored, deployment, every), media_type="text/event-stream"
    )


def _streamed(
    events: Iterator[Any], base: str, ignored: list[str], model: str, every: bool
) -> Iterator[bytes]:
    """The first delta carries ``context``, then the answer's text with ``[docN]``, then the
    end."""
    cid = openai_shapes.completion_id()
    references: References | None = None
    try:
        for event in events:
            if isinstance(event, Context):
                references = References(event, base, ignored)
                delta = {"role": "assistant", "context": references.context(every)}
                yield openai_shapes.sse(openai_shapes.completion_chunk(cid, model, delta, None))
            elif isinstance(event, TextDelta) and references is not None:
                content = {"content": references.rewrite(event.text)}
                yield openai_shapes.sse(openai_shapes.completion_chunk(cid, model, content, None))
            elif isinstance(event, Answer):
                yield openai_shapes.sse(openai_shapes.completion_chunk(cid, model, {}, "stop"))
    except Exception as exc:  # noqa: BLE001 - reported in the stream
        yield openai_shapes.stream_failure(failure_message(exc))
    yield openai_shapes.SSE_DONE


def _without_documents(
    service: Service, question: str, temperature: float, model: str, stream: bool
) -> dict[str, Any] | StreamingResponse:
    """A plain chat completion through the configured LLM (no ``data_sources``)."""
    llm = service.answerer.llm
    if llm is None:
        raise YomitokiError(
            "this server has no LLM for a chat completion without data_sources; send "
            "data_sources to answer from the documents (offline), or set llm"
        )
    options = service.answerer.options
    book = ClosedBook(llm, temperature, options.max_tokens, service.answerer.prompts)
    context, answer = book.ask(question)
    whole = on_your_data.completion(context, answer, None, model, False)
    if not stream:
        return whole

    def chunks() -> Iterator[bytes]:
        cid = whole["id"]
        delta = {"role": "assistant", "content": answer.text}
        yield openai_shapes.sse(openai_shapes.completion_chunk(cid, model, delta, None))
        yield openai_shapes.sse(openai_shapes.completion_chunk(cid, model, {}, "stop"))
        yield openai_shapes.SSE_DONE

    return StreamingResponse(chunks(), media_type="text/event-stream")
