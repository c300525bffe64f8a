"""The vector leg: exact cosine top-k over the stored vectors, held in memory.

The matrix is kept in float16 (half the memory and half the bytes a scan reads; cosines of
unit vectors lose nothing that changes a ranking) and scanned with usearch's SIMD exact
search, which reads float16 natively.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from yomitoki.backends.base import Vectors
from yomitoki.index.sqlite.ann import AnnGraph
from yomitoki.index.sqlite.rows import rows_of

# Below this many rows one thread scans as fast as two, and a second thread pool spinning
# beside the embedder's OpenMP threads doubles query-embedding time on 2 cores.
SINGLE_THREAD_ROWS = 300_000
CANDIDATES_FROM_GRAPH = 200
#: A filter admitting less than 1/SMALL_SHARE of the rows scans a copy of just those rows.
SMALL_SHARE = 4
#: Above that, the best ``limit * OVERSAMPLE / share`` rows of all are scanned and checked.
OVERSAMPLE = 2
Half = npt.NDArray[np.float16]


class VectorIndex:
    """All chunk vectors as one matrix; rebuilt when the store changes."""

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        matrix: Vectors | Half,
        graph: AnnGraph | None = None,
    ) -> None:
        self.ids = ids
        self.matrix: Half = np.ascontiguousarray(matrix, dtype=np.float16)
        self.graph = graph

    @staticmethod
    def graph_path(index: Path) -> Path:
        """Where the HNSW graph of the index file ``index`` is kept."""
        return index.with_name(index.name + ".hnsw")

    def with_graph(self, path: Path) -> VectorIndex:
        """The same vectors with an HNSW graph for candidates (loaded or built at ``path``)."""
        return VectorIndex(self.ids, self.matrix, AnnGraph.open(path, self.ids, self.matrix))

    @classmethod
    def load(cls, conn: sqlite3.Connection, dim: int) -> VectorIndex:
        """Read every chunk's vector (shared vectors are read once per chunk)."""
        rows = conn.execute(
            "SELECT c.id, v.vector FROM chunks c JOIN vectors v ON v.key = c.vector_key "
            "ORDER BY c.id"
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        # One join and one copy: a per-row loop is seconds at a million chunks.
        blob = b"".join(r[1] for r in rows)
        del rows
        matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(ids), dim)
        return cls(ids, matrix)

    def __len__(self) -> int:
        return len(self.ids)

    def _search_graph(
        self,
        graph: AnnGraph,
        query: Vectors,
        limit: int,
        mask: npt.NDArray[np.bool_] | None = None,
        share: float = 1.0,
    ) -> list[tuple[int, float]]:
        # The graph proposes (more candidates the fewer rows a filter admits); exact float32
        # scores decide the order among the admitted ones.
        wanted = int(max(4 * limit, CANDIDATES_FROM_GRAPH) / share)
        keys = graph.candidates(query, min(wanted, len(self.ids)))
        rows = rows_of(self.ids, keys)
        rows = rows[rows >= 0]
        if mask is not None:
            rows = rows[mask[rows]]
        scores = self._exact(rows, query)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(self.ids[rows[i]]), float(scores[i])) for i in order]

    def _exact(self, rows: npt.NDArray[np.int64], query: Vectors) -> npt.NDArray[np.float32]:
        # Scored as the exact scan scores: float16 rows and query, float32 products.
        half = query.astype(np.float16).astype(np.float32)
        scores: npt.NDArray[np.float32] = self.matrix[rows].astype(np.float32) @ half
        return scores

    def score(self, query: Vectors, chunk_ids: Sequence[int]) -> list[float]:
        """The cosine of each of ``chunk_ids`` with ``query`` (0 for an unknown id)."""
        rows = rows_of(self.ids, chunk_ids)
        scores = np.zeros(len(rows))
        found = rows >= 0
        if found.any() and query.any():
            scores[found] = self._exact(rows[found], query)
        result: list[float] = scores.tolist()
        return result

    def _scan(self, rows: Half, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """``(row, cosine)`` of the ``limit`` best rows of ``rows``, by exact SIMD search."""
        threads = 1 if len(rows) < SINGLE_THREAD_ROWS else 0
        # Imported on first use: onnxruntime (the cross-encoder reranker) crashes the process
        # when it loads after usearch (onnxruntime 1.32, usearch 2.26), and a reranker is
        # built before the first search.
        from usearch.compiled import MetricKind
        from usearch.index import search as exact_search

        found = exact_search(
            rows,
            query.astype(np.float16),
            min(limit, len(rows)),
            MetricKind.IP,
            exact=True,
            threads=threads,
        )
        keys = np.asarray(found.keys, dtype=np.int64)
        scores = 1.0 - np.asarray(found.distances, dtype=np.float64)  # IP distance is 1 - dot
        return [(int(k), float(v)) for k, v in zip(keys, scores, strict=True)]

    def _scan_rows(
        self, rows: npt.NDArray[np.int64], query: Vectors, limit: int
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` of the ``limit`` best of ``rows``, scanning a copy of them."""
        found = self._scan(self.matrix[rows], query, limit)
        return [(int(self.ids[rows[r]]), s) for r, s in found]

    def search(
        self, query: Vectors, limit: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` best first; ``mask`` selects the rows that may be returned."""
        if len(self.ids) == 0 or limit <= 0 or not query.any():
            return []
        if self.graph is not None and mask is None:
            return self._search_graph(self.graph, query, limit)
        if mask is None:
            return [(int(self.ids[r]), s) for r, s in self._scan(self.matrix, query, limit)]
        allowed = np.flatnonzero(mask)
        if len(allowed) == 0:
            return []
        if len(allowed) * SMALL_SHARE < len(self.ids):
            # Few admitted rows: copy them and scan only those.
            return self._scan_rows(allowed, query, limit)
        if self.graph is not None:
            # A large index with a large filter: the graph's candidates, filtered, as without
            # a filter (approximate; when too few are admitted, the admitted rows' scan).
            share = len(allowed) / len(self.ids)
            found = self._search_graph(self.graph, query, limit, mask, share)
            if len(found) == min(limit, len(allowed)):
                return found
            return self._scan_rows(allowed, query, limit)
        # Many: copying them costs more than scanning every row. Take the best rows of all,
        # enough that at least ``limit`` are admitted when the filter is spread evenly; when
        # that many are admitted they are exactly the best admitted rows (every admitted row
        # outside the list scores below all inside it). Otherwise scan the admitted rows.
        wanted = min(len(self.ids), int(limit * OVERSAMPLE * len(self.ids) / len(allowed)) + 1)
        best = [(r, s) for r, s in self._scan(self.matrix, query, wanted) if mask[r]][:limit]
        if len(best) == min(limit, len(allowed)):
            return [(int(self.ids[r]), s) for r, s in best]
        return self._scan_rows(allowed, query, limit)
