"""A real HTTP server speaking the Chat Completions protocol, for testing the LLM client.

It serves ``POST /v1/chat/completions`` (OpenAI and compatible servers) and
``POST /openai/deployments/{name}/chat/completions`` (Azure OpenAI), streaming as server-sent
events when asked to, and answers from a queue of scripted replies. Every request is recorded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.servers import on_a_thread


@dataclass
class Reply:
    """What the server answers to one request: text in pieces, or an HTTP error."""

    pieces: list[str] = field(default_factory=list)
    status: int = 200
    error: str = ""
    #: Seconds to wait before answering (for timeouts).
    delay: float = 0.0


@dataclass
class Request:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


class ChatServer(ThreadingHTTPServer):
    """Holds the scripted replies and the recorded requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: list[Reply] = []
        self.requests: list[Request] = []
        #: Answer this when the queue is empty.
        self.default = Reply(["I don't know."])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:  # silence the default logging
        pass

    def do_POST(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(
            Request(url.path, parse_qs(url.query), {k.lower(): v for k, v in self.headers.items()},
                    body)
        )  # fmt: skip
        if not url.path.endswith("/chat/completions"):
            self._error(404, "not_found", f"no route {url.path}")
            return
        reply = self.server.replies.pop(0) if self.server.replies else self.server.default
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            self._error(reply.status, reply.error or "error", f"scripted {reply.status}")
            return
        if body.get("stream"):
            self._stream(body, reply)
        else:
            self._whole(body, reply)

    def _error(self, status: int, kind: str, message: str) -> None:
        payload = json.dumps({"error": {"message": message, "type": kind, "code": kind}}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("retry-after-ms", "10")  # keeps the SDK's backoff short in tests
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _chunk(
        self, body: dict[str, Any], delta: dict[str, Any], finish: str | None
    ) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "test"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        events = [self._chunk(body, {"role": "assistant", "content": ""}, None)]
        events += [self._chunk(body, {"content": piece}, None) for piece in reply.pieces]
        events.append(self._chunk(body, {}, "stop"))
        if body.get("stream_options", {}).get("include_usage"):
            usage = self._chunk(body, {}, None)
            usage["choices"] = []
            usage["usage"] = _usage(body, reply)
            events.append(usage)
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def _whole(self, body: dict[str, Any], reply: Reply) -> None:
        payload = json.dumps({
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "test"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "".join(reply.pieces)}}],
            "usage": _usage(body, reply),
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = sum(len(p.split()) for p in reply.pieces)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}  # fmt: skip


@contextmanager
def running() -> Iterator[ChatServer]:
    """A ChatServer on a free loopback port, serving on a thread until the block ends."""
    with on_a_thread(ChatServer()) as server:
        yield server
