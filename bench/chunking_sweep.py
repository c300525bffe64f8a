"""Northwind retrieval at several chunk sizes and overlaps, each a real ingest and eval.

Run: ``.venv/bin/python -m bench.chunking_sweep``. For each (size, overlap) the Northwind
documents are ingested with the default embedder into .yomitoki/chunking-<size>-<overlap>.sqlite
(about 100 s each the first time; re-runs reuse the index), then
``yomitoki eval retrieval --compare`` runs on the ground truth with the same chunking settings.
Results: bench/results/chunking_northwind.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench.common import RESULTS, ROOT, SETS, machine, write_result

CHUNKINGS = [(700, 150), (800, 250), (1000, 150), (1000, 300), (1200, 200)]


def main() -> int:
    docs, questions = SETS["northwind"]
    if not docs.exists():
        print(f"skipped: {docs} not found")
        return 0
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    for size, overlap in CHUNKINGS:
        env = {
            **os.environ,
            "YOMITOKI_CHUNK_SIZE": str(size),
            "YOMITOKI_CHUNK_OVERLAP": str(overlap),
        }
        index = ROOT / ".yomitoki" / f"chunking-{size}-{overlap}.sqlite"
        out = ROOT / ".yomitoki" / f"chunking-{size}-{overlap}.json"
        base = [sys.executable, "-m", "yomitoki"]
        subprocess.run([*base, "ingest", str(docs), "--index", str(index), "--no-progress"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        table = subprocess.run(
            [*base, "eval", "retrieval", str(questions), "--index", str(index), "--compare",
             "--json", str(out)],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        print(f"== chunk_size={size} chunk_overlap={overlap}\n{table}", flush=True)
        results[f"{size}/{overlap}"] = json.loads(out.read_text())["modes"]
    write_result(RESULTS / "chunking_northwind.json", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
