"""The Milvus engine's retrieval half: BM25 and vector search inside Milvus, filters too.

Milvus finds BM25 candidates over each chunk's tokens (``literals.token`` of yomitoki's own
analyzer terms) and cosine neighbours of its vector; every filter is an expression evaluated
where the candidates are produced. The keyword scores are computed here, with statistics of
the chunks the asker may read: document frequencies are counts under the reader filter over
an inverted index of each chunk's distinct tokens, lengths come from the document rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from cachetools import TTLCache

from yomitoki.backends.base import Vectors
from yomitoki.errors import StoreError
from yomitoki.index.bm25 import bm25, idf, visible_share
from yomitoki.index.engine import Filters, Scored
from yomitoki.index.milvus.client import MOST, Calls
from yomitoki.index.milvus.literals import encode, literal, literals, successor, token
from yomitoki.index.milvus.records import category_key, document_of, hit_of, tokens_of
from yomitoki.text.analyzer import content_terms, query_terms
from yomitoki.types import Document, Hit

#: Ids per ``id in [...]`` filter.
BATCH = 500
#: The clock counts are kept by (a test moves it on).
clock = time.monotonic
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
        #: Chunk counts by token and reader scope, each kept ``FREQUENCY_SECONDS``.
        self._frequency: TTLCache[str, int] = TTLCache(
            FREQUENCIES_KEPT, FREQUENCY_SECONDS, timer=lambda: clock()
        )
        #: Each document's readers, chunks and tokens, kept ``FREQUENCY_SECONDS`` like counts.
        self._lengths: TTLCache[str, list[tuple[frozenset[str], int, int]]] = TTLCache(
            1, FREQUENCY_SECONDS, timer=lambda: clock()
        )
        #: Tokens of documents whose rows do not record them, counted once.
        self._counted_tokens: dict[int, int] = {}

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
        """BM25: the ``limit`` best chunks for ``query`` that ``filters`` admits, scored with
        the statistics of what ``filters``' readers may see.

        Milvus finds the candidates under the filter (its own BM25 weighs them with the
        whole collection's statistics); they are scored again here with the reader's.
        """
        tokens = [token(t) for t in query_terms(query)]
        if not tokens or limit <= 0 or not self.has_chunks():
            return []
        try:
            found = self.calls.search(
                self.chunks_name, [" ".join(tokens)], "sparse", "BM25", limit, where(filters)
            )
        except StoreError:
            if self._chunk_count() == 0:  # Milvus fails BM25 over no rows (NaN lengths)
                return []
            raise
        ids = [item for item, score in found if score > 0]
        scored = zip(ids, self.keyword_scores(query, ids, filters), strict=True)
        return sorted(((i, s) for i, s in scored if s > 0), key=lambda p: -p[1])

    def keyword_scores(self, query: str, chunk_ids: Sequence[int], filters: Filters) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``query`` (0 for an unknown id), under
        the statistics ``filters``' readers see."""
        tokens = [token(t) for t in query_terms(query)]
        if not tokens or not chunk_ids or not self.has_chunks():
            return [0.0] * len(chunk_ids)
        words: dict[int, list[str]] = {}
        for start in range(0, len(chunk_ids), BATCH):
            part = chunk_ids[start : start + BATCH]
            for row in self._rows(ids_in("id", part), ["id", "words"]):
                words[int(row["id"])] = str(row["words"]).split()
        held, chunks = self._frequencies_of(tokens, filters)
        average = self._average_length(filters)
        weights = dict(zip(tokens, idf(held, chunks).tolist(), strict=True))
        return [bm25(words.get(i, []), tokens, weights, average) for i in chunk_ids]

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
        """Drop the statistics read so far (this engine just wrote)."""
        self._frequency.clear()
        self._lengths.clear()

    def _counted(self, key: str, expression: str) -> int:
        """A count of chunks, reused for ``FREQUENCY_SECONDS``."""
        count = self._frequency.get(key)
        if count is None:
            count = self.calls.count(self.chunks_name, expression)
            self._frequency[key] = count
        return count

    def _frequencies_of(
        self, tokens: list[str], filters: Filters
    ) -> tuple[npt.NDArray[np.float64], int]:
        """How many chunks ``filters``' readers may see hold each token, and how many they
        may see.

        Counts are reused for a few seconds: each is a call to Milvus (five or more per
        question). This engine's own writes forget them at once; another process's show
        within ``FREQUENCY_SECONDS``.
        """
        if not self.has_chunks():
            return np.zeros(len(tokens), dtype=np.float64), 0
        scope = where(Filters(readers=filters.readers))
        chunks = self._counted(f"|{scope}", scope)
        counts: dict[str, int] = {}
        for tok in dict.fromkeys(tokens):
            expression = f"array_contains(vocabulary, {literal(tok)})"
            if scope:
                expression = f"{expression} and {scope}"
            counts[tok] = self._counted(f"{tok}|{scope}", expression) if chunks else 0
        return np.array([counts[t] for t in tokens], dtype=np.float64), chunks

    def _average_length(self, filters: Filters) -> float:
        """The average token count of the chunks ``filters``' readers may see.

        Summed from the document rows (each records its chunks' tokens), read at most every
        ``FREQUENCY_SECONDS``; a document written before rows recorded it is counted from
        its chunks once.
        """
        lengths = self._lengths.get("documents")
        if lengths is None:
            rows = self.calls.each(self.documents_name, "id >= 0", ["id", "record"])
            lengths = self._lengths["documents"] = [self._length_of(row) for row in rows]
        readers = filters.readers
        seen = [
            (chunks, tokens)
            for doc_readers, chunks, tokens in lengths
            if readers is None or not readers.isdisjoint(doc_readers)
        ]
        chunks = sum(c for c, _ in seen)
        return sum(t for _, t in seen) / chunks if chunks else 1.0

    def _length_of(self, row: dict[str, Any]) -> tuple[frozenset[str], int, int]:
        document = document_of(row)
        tokens = tokens_of(row)
        if tokens is None:
            tokens = self._counted_tokens.get(document.id)
        if tokens is None:
            chunk_rows = self.calls.each(
                self.chunks_name, f"document_id == {document.id}", ["words"]
            )
            tokens = sum(len(str(r["words"]).split()) for r in chunk_rows)
            self._counted_tokens[document.id] = tokens
        return frozenset(document.readers), document.chunks, tokens

    def idf(self, terms: list[str], filters: Filters) -> dict[str, float]:
        """BM25 IDF of each term among the chunks ``filters``' readers may see; a term none
        of them holds gets the highest IDF there is."""
        frequency, chunks = self._frequencies_of([token(t) for t in terms], filters)
        return dict(zip(terms, idf(frequency, chunks).tolist(), strict=True))

    def visible(self, query: str, filters: Filters) -> float:
        """The IDF-weighted share of ``query``'s content terms that some chunk ``filters``'
        readers may see contains."""
        tokens = [token(t) for t in content_terms(query)]
        frequency, chunks = self._frequencies_of(tokens, filters)
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
