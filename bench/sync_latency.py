"""How soon a change is searchable: a new file in a watched folder, and a new blob in a source
that ``yomitoki serve`` keeps in sync (Azurite on loopback, ``sync_interval`` 5 s).

Run: ``.venv/bin/python -m bench.sync_latency`` (Azurite from ``npm ci --prefix tests/js``).
Each round writes one new document and polls a keyword search (the folder) or ``/documents``
(the server) every 50 ms until it is there; the figures are the seconds that took.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from tests.stores import AzureBox, azurite_in

from bench.common import RESULTS, machine, write_result
from yomitoki import assemble, syncing
from yomitoki.server.app import create_app
from yomitoki.settings import Settings, load_settings
from yomitoki.types import Mode

ROUNDS = 5
INTERVAL = 5.0


def until(found: Callable[[], bool]) -> float:
    began = time.monotonic()
    while not found():
        if time.monotonic() - began > 120:
            raise TimeoutError("not found within 120 s")
        time.sleep(0.05)
    return time.monotonic() - began


def searchable(settings: Settings, word: str) -> bool:
    retriever = assemble.open_answerer(settings).retriever
    try:
        return any(word in hit.text for hit in retriever.search(word, Mode.KEYWORD, 3))
    finally:
        retriever.close()


def folder_rounds(tmp: Path) -> list[float]:
    folder = tmp / "docs"
    folder.mkdir()
    (folder / "first.md").write_text("# First\n\nThe first memo.\n")
    settings = load_settings(index=tmp / "folder-index" / "index.sqlite", embedder="hash")
    told: list[object] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=syncing.watch, args=(settings, str(folder), told.append, stop)
    )
    watcher.start()
    try:
        until(lambda: bool(told))
        took = []
        for n in range(ROUNDS):
            (folder / f"memo-{n}.md").write_text(f"# Memo {n}\n\nThe zqmemo{n}x rule.\n")
            took.append(until(lambda n=n: searchable(settings, f"zqmemo{n}x")))
        return took
    finally:
        stop.set()
        watcher.join()


def served_rounds(tmp: Path) -> list[float]:
    (tmp / "azurite").mkdir()
    with azurite_in(tmp / "azurite") as connection:
        box = AzureBox(connection, f"b{uuid.uuid4().hex[:10]}")
        box.put("first.md", b"# First\n\nThe first memo.\n")
        settings = load_settings(
            index=tmp / "served-index" / "index.sqlite", embedder="hash",
            azure_connection_string=connection, sources=[box.uri], sync_interval=INTERVAL,
            allowed_hosts=["testserver"],  # the name the in-process client reaches it by
        )  # fmt: skip
        with TestClient(create_app(settings)) as client:

            def listed(name: str) -> bool:
                docs = client.get("/documents").json()["documents"]
                return any(d["name"] == name for d in docs)

            until(lambda: listed("first.md"))
            took = []
            for n in range(ROUNDS):
                box.put(f"memo-{n}.md", f"# Memo {n}\n\nThe zqblob{n}x rule.\n".encode())
                took.append(until(lambda n=n: listed(f"memo-{n}.md")))
            return took


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = folder_rounds(Path(tmp))
        served = served_rounds(Path(tmp))
    result = {
        "machine": machine(),
        "command": "python -m bench.sync_latency",
        "watched_folder_seconds": [round(s, 2) for s in folder],
        "served_source_seconds": [round(s, 2) for s in served],
        "sync_interval": INTERVAL,
        "targets": {"watched_folder": 15, "served_source": f"{INTERVAL:g} + 15"},
    }
    print(result)
    write_result(RESULTS / "sync_latency.json", result)


if __name__ == "__main__":
    main()
