"""The SQLite and Milvus engines on the same data: ingest time, retrieval figures, latency.

Run: ``.venv/bin/python -m bench.engines``. Milvus is Milvus Lite 2.5 (the C++ engine) served
on loopback, with the default settings (``milvus_index = "AUTOINDEX"``). Each engine gets a
cold ``yomitoki ingest`` of Northwind (a real process, timed from outside), then
``yomitoki eval retrieval --compare`` on Northwind's questions in English and in Japanese,
then hybrid search latency over the same questions in this process (after one warm-up
pass). Results go to bench/results/engines.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, SETS, latencies, machine, shown, write_result
from yomitoki import assemble
from yomitoki.index.milvus.lite import serve
from yomitoki.settings import load_settings
from yomitoki.types import Mode

OUT = RESULTS / "engines.json"
QUESTION_SETS = ("northwind", "northwind_ja")


def run(args: list[str], env: dict[str, str]) -> str:
    cmd = [sys.executable, "-m", "yomitoki", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout


def latency(where: dict[str, Any], questions: list[str]) -> dict[str, float]:
    """Milliseconds per hybrid search (top 5), over every question after a warm-up pass."""
    searcher = assemble.open_searcher(load_settings(**where))
    for question in questions:
        searcher.search(question, Mode.HYBRID, 5)
    times = []
    for question in questions:
        began = time.perf_counter()
        searcher.search(question, Mode.HYBRID, 5)
        times.append((time.perf_counter() - began) * 1000)
    return latencies(times)


def measure(engine: str, where: dict[str, Any], docs: Path) -> dict[str, Any]:
    env = {**os.environ, **{f"YOMITOKI_{k.upper()}": str(v) for k, v in where.items()}}
    began = time.perf_counter()
    report = json.loads(run(["ingest", str(docs), "--no-progress", "--json"], env))
    result: dict[str, Any] = {
        "cold_ingest_seconds": round(time.perf_counter() - began, 1),
        "chunks": report["chunks"],
    }
    for name in QUESTION_SETS:
        questions = SETS[name][1]
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            run(["eval", "retrieval", str(questions), "--compare", "--json", out.name], env)
            summary = json.loads(Path(out.name).read_text())
        result[name] = {
            mode: {k: v for k, v in figures.items() if k != "questions"}
            for mode, figures in summary["modes"].items()
        }
        lines = [json.loads(line)["question"] for line in questions.read_text().splitlines()]
        result[name]["latency"] = latency(where, lines)
        print(engine, name, json.dumps(result[name]), flush=True)
    return result


def main() -> int:
    docs = SETS["northwind"][0]
    if not docs.exists():
        print(f"skipped: {docs} not found")
        return 0
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "milvus.db") as uri:
        engines = {
            "sqlite": {"index": Path(tmp) / "index.sqlite"},
            "milvus": {"store": "milvus", "milvus_uri": uri, "milvus_collection": "northwind"},
        }
        for engine, where in engines.items():
            results[engine] = measure(engine, where, docs)
    results["command"] = ".venv/bin/python -m bench.engines"
    results["dataset"] = shown(docs)
    write_result(OUT, results)
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
