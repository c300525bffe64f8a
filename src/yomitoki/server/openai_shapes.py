"""OpenAI's chat completion shapes, whole and streamed as server-sent events: what
``/v1/chat/completions`` and Azure's ``/openai/deployments/.../chat/completions`` answer."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from yomitoki.types import Answer


def completion_id() -> str:
    """A new completion id: every completion has its own; its chunks share it."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def completion(answer: Answer, model: str) -> dict[str, Any]:
    """A whole ``chat.completion`` whose content is the cited answer."""
    usage = answer.usage
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": answer.text},
            }
        ],
        "usage": {
            "prompt_tokens": usage.prompt_tokens if usage else 0,
            "completion_tokens": usage.completion_tokens if usage else 0,
            "total_tokens": (usage.prompt_tokens + usage.completion_tokens) if usage else 0,
        },
        "citations": list(answer.citations),
    }


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
