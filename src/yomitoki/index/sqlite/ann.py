"""Approximate candidates for large indexes: an HNSW graph (usearch) kept beside the index.

Exact scanning costs one pass over every vector a query (about 90 ms at a million chunks on
two cores). Above ``threshold`` chunks the vector leg asks this graph for a few hundred
candidates instead and scores only those exactly. The graph is saved next to the SQLite file
with a fingerprint of the chunk ids it holds; when the index has changed since, it is rebuilt.

Two processes over one index (a server and a CLI search) may rebuild it at once, and either
may be killed while saving: each file is written whole (``yomitoki.whole``), and a graph
that still cannot be read is built again rather than failing every search after it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from yomitoki.backends.base import Vectors
from yomitoki.errors import MissingDependencyError
from yomitoki.whole import write_whole

CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128


def fingerprint(ids: npt.NDArray[np.int64], dim: int) -> str:
    """Identifies the exact set of chunk ids (and the dimension) a graph was built from."""
    digest = hashlib.sha256(np.ascontiguousarray(ids).tobytes())
    digest.update(str(dim).encode())
    return digest.hexdigest()


class AnnGraph:
    """An HNSW graph over chunk ids, cosine (inner product of unit vectors), float16."""

    def __init__(self, graph: Any) -> None:
        self._graph = graph

    @classmethod
    def open(
        cls, path: Path, ids: npt.NDArray[np.int64], matrix: npt.NDArray[Any], threads: int = 0
    ) -> AnnGraph:
        """Load the graph saved at ``path`` if it matches ``ids``; else build and save it."""
        try:
            from usearch.index import Index
        except ImportError:
            raise MissingDependencyError("usearch", "approximate search on large indexes") from None
        stamp = path.with_name(path.name + ".json")
        wanted = fingerprint(ids, matrix.shape[1])

        def empty() -> Any:
            return Index(
                ndim=matrix.shape[1],
                metric="ip",
                dtype="f16",
                connectivity=CONNECTIVITY,
                expansion_add=EXPANSION_ADD,
                expansion_search=EXPANSION_SEARCH,
            )

        graph = empty()
        if _stamped(stamp, path) == wanted:
            try:
                graph.load(str(path))
                return cls(graph)
            except RuntimeError:  # usearch: "Failed to pull nodes from the stream"
                graph = empty()
        graph.add(ids, matrix, threads=threads)
        write_whole(path, lambda temporary: graph.save(str(temporary)))
        text = json.dumps({"fingerprint": wanted, "count": len(ids)})
        write_whole(stamp, lambda temporary: temporary.write_text(text))
        return cls(graph)

    def candidates(self, query: Vectors, count: int) -> npt.NDArray[np.int64]:
        """Chunk ids of about the ``count`` nearest vectors."""
        matches = self._graph.search(query, count)
        keys: npt.NDArray[np.int64] = np.asarray(matches.keys, dtype=np.int64)
        return keys


def _stamped(stamp: Path, path: Path) -> str | None:
    """The fingerprint the saved graph was built for; None without a whole saved pair."""
    try:
        saved = json.loads(stamp.read_text()) if path.exists() else {}
        return str(saved["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
