"""Northwind ingested plainly and on a local 2-CPU Ray: the same index, and the time of each.

Run: ``.venv/bin/python -m bench.ray_ingest``. Both are real ``yomitoki ingest`` processes
with the default embedder into fresh SQLite indexes, timed from outside; then every
document's chunks (text, location) and every chunk's vector are compared. Results go to
bench/results/ray_ingest.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from tests.options import open_store

from bench.common import RESULTS, SHARED, machine, shown, write_result

DOCS = SHARED / "northwind" / "docs"
OUT = RESULTS / "ray_ingest.json"


def ingest(index: Path, *extra: str) -> tuple[float, dict[str, Any]]:
    cmd = [sys.executable, "-m", "yomitoki", "ingest", str(DOCS), "--index", str(index),
           "--no-progress", "--json", *extra]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - began, json.loads(done.stdout)


def contents(index: Path) -> tuple[dict[str, list[Any]], dict[str, np.ndarray]]:
    """Each document's chunks by name, and each chunk text's vector."""
    with open_store(index) as store:
        chunks = {
            d.name: [(c.text, c.location) for c in store.chunks(d.id)] for d in store.documents()
        }
        vectors = store.vectors
        hits = store.passages(vectors.ids.tolist())
        by_text = {hits[i].text: vectors.matrix[row] for row, i in enumerate(vectors.ids.tolist())}
    return chunks, by_text


def main() -> int:
    if not DOCS.exists():
        print(f"skipped: {DOCS} not found")
        return 0
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        plain_seconds, plain = ingest(Path(tmp) / "plain.sqlite")
        ray_seconds, on_ray = ingest(Path(tmp) / "ray.sqlite", "--ray")
        plain_chunks, plain_vectors = contents(Path(tmp) / "plain.sqlite")
        ray_chunks, ray_vectors = contents(Path(tmp) / "ray.sqlite")
    same_vectors = plain_vectors.keys() == ray_vectors.keys() and all(
        np.array_equal(vector, plain_vectors[text]) for text, vector in ray_vectors.items()
    )
    results = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "dataset": shown(DOCS),
        "plain": {"seconds": round(plain_seconds, 1), "chunks": plain["chunks"]},
        "ray_local_2_cpus": {"seconds": round(ray_seconds, 1), "chunks": on_ray["chunks"]},
        "same_chunks": plain_chunks == ray_chunks,
        "same_vectors": same_vectors,
        "command": ".venv/bin/python -m bench.ray_ingest",
    }
    write_result(OUT, results)
    print(json.dumps(results, indent=2))
    return 0 if results["same_chunks"] and same_vectors else 1


if __name__ == "__main__":
    raise SystemExit(main())
