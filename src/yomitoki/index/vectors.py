"""The vector leg: exact cosine top-k over the stored vectors, held in memory."""

from __future__ import annotations

import sqlite3

import numpy as np
import numpy.typing as npt

from yomitoki.backends.base import Vectors


class VectorIndex:
    """All chunk vectors as one matrix; rebuilt when the store changes."""

    def __init__(self, ids: npt.NDArray[np.int64], matrix: Vectors) -> None:
        self.ids = ids
        self.matrix = matrix

    @classmethod
    def load(cls, conn: sqlite3.Connection, dim: int) -> VectorIndex:
        """Read every chunk's vector (shared vectors are read once per chunk)."""
        rows = conn.execute(
            "SELECT c.id, v.vector FROM chunks c JOIN vectors v ON v.key = c.vector_key "
            "ORDER BY c.id"
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.empty((len(rows), dim), dtype=np.float32)
        for i, (_, blob) in enumerate(rows):
            matrix[i] = np.frombuffer(blob, dtype=np.float32)
        return cls(ids, matrix)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, query: Vectors, limit: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` best first; ``mask`` selects the rows that may be returned."""
        if len(self.ids) == 0 or limit <= 0 or not query.any():
            return []
        scores = self.matrix @ query
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]
