"""The SQLite engine's retrieval half: BM25 and vector legs held in memory, filters in SQL.

The legs load on first use and reload when the file changed under them: ``sync`` compares
``PRAGMA data_version``, which changes exactly when another connection (an ingest, an upload)
commits, so a server sees a CLI ingest at its next search and reloads nothing otherwise.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from yomitoki.backends.base import Vectors
from yomitoki.index.engine import Filters, Scored
from yomitoki.index.sqlite.columns import location_of, named, page_breaks_of
from yomitoki.index.sqlite.keyword import Corpus, KeywordIndex
from yomitoki.index.sqlite.rows import rows_of
from yomitoki.index.sqlite.vectors import VectorIndex
from yomitoki.types import Hit

#: Row masks kept (per leg and filter): one bool a chunk, 1 MB each at a million chunks.
MASKS_KEPT = 32
_PASSAGE = (
    "SELECT c.id, d.name, c.page, c.slide, c.sheet, c.row_first, c.row_last, c.heading, "
    "c.page_end, c.text, d.category, d.title, c.page_breaks, c.ocr "
    "FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN "
)


def _kept() -> LRUCache[Any, Any]:
    """A cache of the last ``MASKS_KEPT`` filters' masks or statistics."""
    return LRUCache(maxsize=MASKS_KEPT)


class Retrieval:
    """Keyword and vector legs over one open SQLite file, each under a filter."""

    def __init__(self, conn: sqlite3.Connection, path: Path, ann_threshold: int) -> None:
        self._conn = conn
        self.path = path
        #: From this many chunks on, the vector leg takes candidates from an HNSW graph.
        self.ann_threshold = ann_threshold
        self._vectors: VectorIndex | None = None
        self._keywords: KeywordIndex | None = None
        self._version = self._data_version()
        # The last query's BM25 scores of every chunk: fusion asks for them twice.
        self._scored: tuple[str, Filters, npt.NDArray[np.float32] | None] | None = None
        # BM25 statistics of what each reader may see, kept like the masks.
        self._corpora: LRUCache[Filters, Corpus] = _kept()
        # Each loaded leg's chunk -> document array (keyed by the leg's id array).
        self._chunk_documents: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
        self._masks: LRUCache[tuple[int, Filters], npt.NDArray[np.bool_]] = _kept()

    def _data_version(self) -> int:
        (version,) = self._conn.execute("PRAGMA data_version").fetchone()
        return int(version)

    def refresh(self) -> None:
        """Forget the in-memory legs so the next search sees every committed change."""
        self._vectors = None
        self._keywords = None
        self._scored = None
        self._chunk_documents = {}
        self._masks = _kept()
        self._corpora = _kept()

    def sync(self) -> None:
        """Reload the legs when another connection committed since; one statement otherwise."""
        version = self._data_version()
        if version != self._version:
            self._version = version
            self.refresh()

    def bound(self) -> dict[str, Any] | None:
        """The embedder the index is bound to, ``{"model", "dim"}``; None before any ingest."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
        return dict(json.loads(row[0])) if row else None

    def _dim(self) -> int:
        bound = self.bound()
        return int(bound["dim"]) if bound else 0

    @property
    def vectors(self) -> VectorIndex:
        """The in-memory vector matrix, loaded once (with its HNSW graph when large)."""
        if self._vectors is None:
            vectors = VectorIndex.load(self._conn, self._dim())
            if len(vectors) >= self.ann_threshold:
                vectors = vectors.with_graph(VectorIndex.graph_path(self.path))
            self._vectors = vectors
        return self._vectors

    @property
    def keywords(self) -> KeywordIndex:
        """The in-memory BM25 matrix, loaded once."""
        if self._keywords is None:
            self._keywords = KeywordIndex.load(self._conn)
        return self._keywords

    def ready_for_search(self) -> None:
        """Build the HNSW graph now when the index is large enough to search through one, so
        the first search after an ingest does not wait minutes for it."""
        (chunks,) = self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()
        if chunks >= self.ann_threshold:
            VectorIndex.load(self._conn, self._dim()).with_graph(VectorIndex.graph_path(self.path))

    def _allowed_documents(self, filters: Filters) -> npt.NDArray[np.int64]:
        """The ids of the documents ``filters`` admits (it is active)."""
        sql = "SELECT d.id FROM documents d WHERE 1"
        args: list[str] = []
        if filters.categories:
            sql += f" AND d.category IN ({','.join('?' * len(filters.categories))})"
            args += filters.categories
        if filters.exclude_categories:
            marks = ",".join("?" * len(filters.exclude_categories))
            sql += f" AND (d.category IS NULL OR d.category NOT IN ({marks}))"
            args += filters.exclude_categories
        if filters.path_prefix:
            sql += " AND substr(d.name, 1, ?) = ?"
            args += [str(len(filters.path_prefix)), filters.path_prefix]
        if filters.readers is not None:
            readers = sorted(filters.readers)
            marks = ",".join("?" * len(readers)) or "NULL"
            sql += f" AND EXISTS (SELECT 1 FROM json_each(d.readers) r WHERE r.value IN ({marks}))"
            args += readers
        rows = self._conn.execute(sql, args).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def _documents_of(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The document of each chunk of a leg (``ids``: its sorted chunk ids), kept per leg."""
        cached = self._chunk_documents.get(id(ids))
        if cached is not None and cached[0] is ids:
            return cached[1]
        rows = self._conn.execute("SELECT id, document_id FROM chunks ORDER BY id").fetchall()
        chunk_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        documents = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        found = rows_of(chunk_ids, ids)
        aligned = np.where(found >= 0, documents[np.maximum(found, 0)], -1)
        self._chunk_documents[id(ids)] = (ids, aligned)
        return aligned

    def _mask(self, ids: npt.NDArray[np.int64], filters: Filters) -> npt.NDArray[np.bool_] | None:
        """Which rows of a leg ``filters`` admits, decided per document; None: every row.

        Kept for the last few filters of each leg (a server answers the same reader again
        and again); a write or another process's commit forgets them with the legs.
        """
        if not filters.active():
            return None
        key = (id(ids), filters)
        mask = self._masks.get(key)
        if mask is None:
            documents = self._documents_of(ids)
            admitted = np.zeros(int(documents.max(initial=0)) + 2, dtype=bool)
            allowed = self._allowed_documents(filters)
            admitted[allowed[allowed < len(admitted) - 1]] = True
            mask = admitted[documents]  # a chunk of no known document (-1): the last, False
            self._masks[key] = mask
        return mask

    def _corpus(self, filters: Filters) -> Corpus:
        """The BM25 statistics of the chunks ``filters``' readers may see (every chunk when
        it names none). Only the readers count: a category or folder filter narrows what a
        search returns, not how its words weigh, and a reader's scores move with nothing
        they may not read."""
        keywords = self.keywords
        scope = Filters(readers=filters.readers)
        if not scope.active():
            return keywords.everything
        corpus = self._corpora.get(scope)
        if corpus is None:
            corpus = keywords.corpus(self._mask(keywords.ids, scope))
            self._corpora[scope] = corpus
        return corpus

    def _keyword_scores(self, query: str, filters: Filters) -> npt.NDArray[np.float32] | None:
        scope = Filters(readers=filters.readers)
        if self._scored is None or self._scored[:2] != (query, scope):
            self._scored = (query, scope, self.keywords.scores(query, self._corpus(scope)))
        return self._scored[2]

    def keyword_search(self, query: str, limit: int, filters: Filters) -> Scored:
        """BM25: the ``limit`` best chunks for ``query`` that ``filters`` admits."""
        keywords = self.keywords
        scores = self._keyword_scores(query, filters)
        return keywords.top(scores, limit, self._mask(keywords.ids, filters))

    def keyword_scores(self, query: str, chunk_ids: Sequence[int], filters: Filters) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``query`` (0 for an unknown id)."""
        return self.keywords.score_of(self._keyword_scores(query, filters), chunk_ids)

    def vector_search(self, vector: Vectors, limit: int, filters: Filters) -> Scored:
        """Cosine: the ``limit`` chunks nearest ``vector`` that ``filters`` admits."""
        vectors = self.vectors
        return vectors.search(vector, limit, self._mask(vectors.ids, filters))

    def vector_scores(self, vector: Vectors, chunk_ids: Sequence[int]) -> list[float]:
        """The cosine of each of ``chunk_ids`` with ``vector`` (0 for an unknown id)."""
        return self.vectors.score(vector, chunk_ids)

    def idf(self, terms: list[str], filters: Filters) -> dict[str, float]:
        """BM25 IDF of each term among what ``filters``' readers may see; a term none of
        those chunks contains gets the highest IDF there is."""
        return self.keywords.idf(terms, self._corpus(filters))

    def visible(self, query: str, filters: Filters) -> float:
        """The IDF-weighted share of ``query``'s content terms that some chunk ``filters``'
        readers may see contains."""
        return self.keywords.visible(query, self._corpus(filters))

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, Hit]:
        """The chunks of ``chunk_ids`` that still exist, as hits with no score yet."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        out = {}
        for row in named(self._conn, f"{_PASSAGE}({marks})", list(chunk_ids)):
            out[row["id"]] = Hit(
                chunk_id=row["id"],
                document=row["name"],
                location=location_of(row),
                text=row["text"],
                score=0.0,
                category=row["category"],
                title=row["title"],
                page_breaks=page_breaks_of(row["page_breaks"]),
                ocr=row["ocr"],
            )
        return out
