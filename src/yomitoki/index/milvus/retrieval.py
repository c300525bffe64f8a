"""The Milvus engine's retrieval half: BM25 and vector search inside Milvus, filters too.

Milvus scores BM25 over each chunk's tokens (``literals.token`` of yomitoki's own analyzer
terms) and cosine over its vector; every filter is an expression evaluated where the
candidates are produced. Document frequencies (for ``idf`` and ``visible``) are counts over
an inverted index of each chunk's distinct tokens.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from yomitoki.backends.base import Vectors
from yomitoki.errors import StoreError
from yomitoki.index.bm25 import idf, visible_share
from yomitoki.index.engine import Filters, Scored
from yomitoki.index.milvus.client import MOST, Calls
from yomitoki.index.milvus.literals import encode, literal, literals, successor, token
from yomitoki.index.milvus.records import category_key, document_of, hit_of
from yomitoki.text.analyzer import content_terms, query_terms
from yomitoki.types import Document, Hit

#: Ids per ``id in [...]`` filter.
BATCH = 500
#: Seconds a chunk count (a document frequency) read from Milvus is reused.
FREQUENCY_SECONDS = 10.0
#: Counts kept at most (then all are forgotten).
FREQUENCIES_KEPT = 100_000


def ids_in(field: str, ids: Sequence[int]) -> str:
    """``field in [1, 2]``: integers only, so nothing to escape."""
    return f"{field} in [{', '.join(str(int(i)) for i in ids)}]"


def where(filters: Filters) -> str:
    """The Milvus filter expression of ``filters``; "" admits everything."""
    parts = []
    if filters.categories:
        parts.append(f"category_key in {literals(category_key(c) for c in filters.categories)}")
    if filters.exclude_categories:
        excluded = literals(category_key(c) for c in filters.exclude_categories)
        parts.append(f"category_key not in {excluded}")
    if filters.path_prefix:
        prefix = encode(filters.path_prefix)
        part = f"name_key >= {literal(prefix)}"
        after = successor(prefix)
        if after is not None:
            part += f" and name_key < {literal(after)}"
        parts.append(f"({part})")
    if filters.readers is not None:
        if filters.readers:
            readers = literals(encode(r) for r in sorted(filters.readers))
            parts.append(f"array_contains_any(readers, {readers})")
        else:
            parts.append("id < 0")  # no reader token: nothing (ids are positive)
    return " and ".join(parts)


class Retrieval:
    """Keyword and vector legs over one index's chunk collection."""

    def __init__(self, calls: Calls, collection: str) -> None:
        self.calls = calls
        self.meta_name = f"{collection}_meta"
        self.documents_name = f"{collection}_documents"
        self.chunks_name = f"{collection}_chunks"
        self._has_chunks = False
        #: Chunk counts by token (None: all chunks), with when each was read.
        self._frequency: dict[str | None, tuple[float, int]] = {}

    def has_chunks(self) -> bool:
        """Whether the chunk collection exists (it is made when a model is first bound)."""
        if not self._has_chunks:
            self._has_chunks = self.calls.has(self.chunks_name)
        return self._has_chunks

    def sync(self) -> None:
        """Nothing to do: every read is at strong consistency, so it sees every write."""

    def ready_for_search(self) -> None:
        """Nothing to do: Milvus builds its indexes as segments fill."""

    def _chunk_count(self) -> int:
        return self.calls.count(self.chunks_name) if self.has_chunks() else 0

    def keyword_search(self, query: str, limit: int, filters: Filters) -> Scored:
        """BM25: the ``limit`` best chunks for ``query`` that ``filters`` admits."""
        return self._keyword(query, limit, where(filters))

    def _keyword(self, query: str, limit: int, expression: str) -> Scored:
        tokens = [token(t) for t in query_terms(query)]
        if not tokens or limit <= 0 or not self.has_chunks():
            return []
        try:
            found = self.calls.search(
                self.chunks_name, [" ".join(tokens)], "sparse", "BM25", limit, expression
            )
        except StoreError:
            if self._chunk_count() == 0:  # Milvus fails BM25 over no rows (NaN lengths)
                return []
            raise
        return [(item, score) for item, score in found if score > 0]

    def keyword_scores(self, query: str, chunk_ids: Sequence[int]) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``query`` (0 for an unknown id)."""
        scores: dict[int, float] = {}
        for start in range(0, len(chunk_ids), BATCH):
            part = chunk_ids[start : start + BATCH]
            scores.update(self._keyword(query, len(part), ids_in("id", part)))
        return [scores.get(i, 0.0) for i in chunk_ids]

    def vector_search(self, vector: Vectors, limit: int, filters: Filters) -> Scored:
        """Cosine: the ``limit`` chunks nearest ``vector`` that ``filters`` admits."""
        if limit <= 0 or not self.has_chunks():
            return []
        data = [np.asarray(vector, dtype=np.float32).tolist()]
        return self.calls.search(self.chunks_name, data, "vector", "COSINE", limit, where(filters))

    def vector_scores(self, vector: Vectors, chunk_ids: Sequence[int]) -> list[float]:
        """The cosine of each of ``chunk_ids`` with ``vector`` (0 for an unknown id)."""
        query = np.asarray(vector, dtype=np.float32)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        scores: dict[int, float] = {}
        for start in range(0, len(chunk_ids), BATCH):
            part = chunk_ids[start : start + BATCH]
            for row in self._rows(ids_in("id", part), ["id", "vector"]):
                stored = np.asarray(row["vector"], dtype=np.float32)
                norm = max(float(np.linalg.norm(stored)), 1e-12)
                scores[int(row["id"])] = float(stored @ query) / norm
        return [scores.get(i, 0.0) for i in chunk_ids]

    def _rows(self, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        if not self.has_chunks():
            return []
        return self.calls.query(self.chunks_name, expression, fields, limit=MOST)

    def forget_frequencies(self) -> None:
        """Drop the document frequencies read so far (this engine just wrote)."""
        self._frequency.clear()

    def _counted(self, key: str | None, expression: str) -> int:
        """A count of chunks, reused for ``FREQUENCY_SECONDS`` (None: all chunks)."""
        now = time.monotonic()
        known = self._frequency.get(key)
        if known is not None and now - known[0] < FREQUENCY_SECONDS:
            return known[1]
        if len(self._frequency) >= FREQUENCIES_KEPT:
            self._frequency.clear()
        count = self.calls.count(self.chunks_name, expression)
        self._frequency[key] = (now, count)
        return count

    def _frequencies(self, terms: list[str]) -> tuple[npt.NDArray[np.float64], int]:
        """How many chunks hold each term, and how many chunks there are.

        Counts are reused for a few seconds: they only weigh the keyword leg and the
        answerer's words, never decide what a search can find, and each is a call to Milvus
        (five or more per question). This engine's own writes forget them at once; another
        process's show within ``FREQUENCY_SECONDS``.
        """
        if not self.has_chunks():
            return np.zeros(len(terms), dtype=np.float64), 0
        chunks = self._counted(None, "")
        counts: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            tok = token(term)
            expression = f"array_contains(vocabulary, {literal(tok)})"
            counts[term] = self._counted(tok, expression) if chunks else 0
        return np.array([counts[t] for t in terms], dtype=np.float64), chunks

    def idf(self, terms: list[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term no chunk contains gets the highest IDF there is."""
        frequency, chunks = self._frequencies(terms)
        return dict(zip(terms, idf(frequency, chunks).tolist(), strict=True))

    def visible(self, query: str) -> float:
        """The IDF-weighted share of ``query``'s content terms that some chunk contains."""
        frequency, chunks = self._frequencies(content_terms(query))
        return visible_share(frequency, chunks)

    def documents_by_id(self, ids: Sequence[int]) -> dict[int, Document]:
        """The stored documents among ``ids``."""
        found: dict[int, Document] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), BATCH):
            expression = ids_in("id", unique[start : start + BATCH])
            for row in self.calls.query(self.documents_name, expression, ["id", "record"]):
                found[int(row["id"])] = document_of(row)
        return found

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, Hit]:
        """The chunks of ``chunk_ids`` whose document is stored, as hits with no score yet.

        A chunk whose document row is not there yet (being written) or any more (being
        removed) is left out: the document row is what makes its chunks visible.
        """
        rows = []
        for start in range(0, len(chunk_ids), BATCH):
            expression = ids_in("id", chunk_ids[start : start + BATCH])
            rows += self._rows(expression, ["id", "document_id", "text", "record"])
        documents = self.documents_by_id([int(r["document_id"]) for r in rows])
        out = {}
        for row in rows:
            document = documents.get(int(row["document_id"]))
            if document is not None:
                out[int(row["id"])] = hit_of(row, document)
        return out
