"""Milvus search latency with and without reusing document frequencies, in one run.

Run: ``.venv/bin/python -m bench.milvus_latency``. Ingests Northwind into Milvus Lite on
loopback (default settings), then times hybrid searches (top 5) of Northwind's 50 questions,
alternating rounds with counts reused (``FREQUENCY_SECONDS`` 10, the default) and read
afresh for every search (0), three rounds each. Results go to bench/results/milvus_latency.json.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, SETS, latencies, machine, shown, write_result
from yomitoki import assemble
from yomitoki.index.milvus import retrieval
from yomitoki.index.milvus.lite import serve
from yomitoki.settings import load_settings
from yomitoki.types import Mode

OUT = RESULTS / "milvus_latency.json"


def main() -> int:
    docs, questions_file = SETS["northwind"]
    if not docs.exists():
        print(f"skipped: {docs} not found")
        return 0
    questions = [
        line.split('"question": "', 1)[1].split('"', 1)[0]
        for line in questions_file.read_text().splitlines()
    ]
    times: dict[str, list[float]] = {"reused": [], "fresh": []}
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "milvus.db") as uri:
        settings = load_settings(store="milvus", milvus_uri=uri, milvus_collection="latency")
        with assemble.ingesting(settings) as ingester:
            ingester.run(docs)
        searcher = assemble.open_searcher(settings)
        for question in questions:  # warm-up
            searcher.search(question, Mode.HYBRID, 5)
        for _ in range(3):
            for name, seconds in (("reused", 10.0), ("fresh", 0.0)):
                retrieval.FREQUENCY_SECONDS = seconds
                for question in questions:
                    began = time.perf_counter()
                    searcher.search(question, Mode.HYBRID, 5)
                    times[name].append((time.perf_counter() - began) * 1000)
    results = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "dataset": shown(docs),
        **{name: latencies(values) for name, values in times.items()},
        "command": ".venv/bin/python -m bench.milvus_latency",
    }
    write_result(OUT, results)
    print(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
