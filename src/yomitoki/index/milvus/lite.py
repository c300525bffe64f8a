"""Milvus Lite served on loopback: the real Milvus engine (C++) in one local process.

For tests, benchmarks and trying the Milvus engine on one machine; a deployment runs Milvus
standalone or a cluster instead (docs/deployment.md). Needs ``milvus-lite==2.5.*`` (the 3.x
series is a Python re-implementation, not the engine).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from yomitoki.errors import StoreError


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serve(data: Path, wait: float = 30.0) -> Iterator[str]:
    """Serve Milvus Lite with its data in ``data`` (a file; its folder must exist) on a free
    loopback port until the block ends; yields the URI to connect to."""
    try:
        from milvus_lite.server import Server
    except ImportError:
        raise StoreError("Milvus Lite is not installed: pip install 'yomitoki[milvus]'") from None
    os.environ.setdefault("RUST_LOG", "error")  # the server's full-text index logs at INFO
    port = free_port()
    server = Server(str(data), f"127.0.0.1:{port}")
    if not server.start():
        raise StoreError(f"Milvus Lite did not start on {data} (is another one using it?)")
    try:
        deadline = time.monotonic() + wait
        while not _listening(port):
            if time.monotonic() > deadline:
                raise StoreError(f"Milvus Lite did not listen on port {port} in {wait:.0f} s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
