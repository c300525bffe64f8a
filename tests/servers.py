"""The server as tests meet it: settings over a test index, the app on a real socket, and a
question in the demo's protocol. (Shared by the server, hostile, access, OCR and browser
tests; no test module imports another.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from yomitoki.settings import Settings, load_settings

HTTPServerT = TypeVar("HTTPServerT", bound=HTTPServer)
#: Answers whenever a sentence is found (the hash embedder's cosines mean nothing).
BASE: dict[str, Any] = {"min_answerability": 0.0, "embedder": "hash"}


def settings_for(index: Path, **extra: Any) -> Settings:
    """The settings of a server over the test index at ``index``."""
    return load_settings(index=index, **BASE, **extra)


def served(app: FastAPI) -> Iterator[tuple[str, FastAPI]]:
    """``app`` served by uvicorn on a free loopback port: its base URL (once, for a loop)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def ask(client: TestClient, question: str, **overrides: Any) -> Any:
    """``question`` to ``/chat`` with the demo's request ``overrides``."""
    body = {"messages": [{"role": "user", "content": question}],
            "context": {"overrides": overrides}, "session_state": "s-1"}  # fmt: skip
    return client.post("/chat", json=body)


def quiet_when_the_client_left(request: Any, client_address: Any) -> None:
    """http.server's ``handle_error`` for test servers: a client that gave up (a timeout
    under test) is expected; anything else is printed as usual."""
    import sys
    import traceback

    if not isinstance(sys.exc_info()[1], ConnectionError):
        traceback.print_exc()


@contextmanager
def on_a_thread(server: HTTPServerT) -> Iterator[HTTPServerT]:
    """``server`` (an http.server on loopback) serving on a thread until the block ends; a
    client that hangs up mid-answer prints nothing (a stall test's client does)."""
    server.handle_error = quiet_when_the_client_left  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
