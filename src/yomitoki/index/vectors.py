"""The vector leg: exact cosine top-k over the stored vectors, held in memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

from yomitoki.backends.base import Vectors
from yomitoki.index.ann import AnnGraph

# Below this many rows one BLAS thread scans the matrix as fast as two, and a second BLAS
# thread pool spinning beside the embedder's OpenMP threads doubles query-embedding time
# (bench/search_latency.py: hybrid p50 58 ms -> 29 ms at 100k chunks on 2 cores).
SINGLE_THREAD_ROWS = 300_000
CANDIDATES_FROM_GRAPH = 200
_controller: ThreadpoolController | None = None


def _blas_threads(rows: int) -> int | None:
    return 1 if rows < SINGLE_THREAD_ROWS else None


class VectorIndex:
    """All chunk vectors as one matrix; rebuilt when the store changes."""

    def __init__(
        self, ids: npt.NDArray[np.int64], matrix: Vectors, graph: AnnGraph | None = None
    ) -> None:
        self.ids = ids
        self.matrix = matrix
        self.graph = graph

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
        matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(ids), dim).copy()
        return cls(ids, matrix)

    def __len__(self) -> int:
        return len(self.ids)

    def _search_graph(self, graph: AnnGraph, query: Vectors, limit: int) -> list[tuple[int, float]]:
        # The graph proposes; exact float32 scores decide the order.
        keys = graph.candidates(query, max(4 * limit, CANDIDATES_FROM_GRAPH))
        rows = np.searchsorted(self.ids, keys)
        rows = rows[
            (rows < len(self.ids)) & (self.ids[np.minimum(rows, len(self.ids) - 1)] == keys)
        ]
        scores = self.matrix[rows] @ query
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(self.ids[rows[i]]), float(scores[i])) for i in order]

    def _scores(self, query: Vectors) -> npt.NDArray[np.float32]:
        global _controller
        threads = _blas_threads(len(self.ids))
        if threads is None:
            result: npt.NDArray[np.float32] = self.matrix @ query
            return result
        if _controller is None:
            _controller = ThreadpoolController()
        with _controller.limit(limits=threads, user_api="blas"):
            limited: npt.NDArray[np.float32] = self.matrix @ query
        return limited

    def search(
        self, query: Vectors, limit: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` best first; ``mask`` selects the rows that may be returned."""
        if len(self.ids) == 0 or limit <= 0 or not query.any():
            return []
        if self.graph is not None and mask is None:
            return self._search_graph(self.graph, query, limit)
        scores = self._scores(query)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]
