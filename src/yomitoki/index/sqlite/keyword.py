"""The keyword leg: Okapi BM25 over analyzer terms, as a sparse matrix held in memory.

The store keeps each chunk's term ids (table ``chunk_terms``) in the same transaction as the
chunk itself; this module turns them into a chunks x terms matrix of BM25 weights, so that a
query costs one sparse column sum however many chunks contain its terms. (SQLite FTS5 scores
every matching row one by one: 170 ms a query at 100k chunks in bench/search_latency.py.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from yomitoki.index.bm25 import K1, B, idf, visible_share
from yomitoki.index.sqlite.rows import rows_of
from yomitoki.text.analyzer import content_terms, query_terms


def bm25_matrix(
    indptr: npt.NDArray[np.int64], terms: npt.NDArray[np.int32], width: int
) -> sparse.csc_matrix:
    """BM25 weights of every (chunk, term) pair, chunks as rows, terms as columns.

    Chunk ``i``'s term occurrences are ``terms[indptr[i]:indptr[i + 1]]``, repeats included
    (they add up to term frequencies). Built in float32 and 32-bit indices without a COO
    detour: at a million chunks the intermediate copies, not the result, set peak memory.
    """
    chunks = len(indptr) - 1
    index = np.int32 if len(terms) < np.iinfo(np.int32).max else np.int64
    counts = sparse.csr_matrix(
        (
            np.ones(len(terms), dtype=np.float32),
            terms.astype(index, copy=False),
            indptr.astype(index, copy=False),
        ),
        shape=(chunks, width),
    )
    counts.sum_duplicates()
    lengths = np.diff(indptr).astype(np.float32)
    average = float(lengths.mean()) if chunks and lengths.mean() > 0 else 1.0
    df = np.bincount(counts.indices, minlength=width).astype(np.float64)
    weights = idf(df, chunks).astype(np.float32)
    norm = (K1 * (1.0 - B + B * lengths / average)).astype(np.float32)
    tf = counts.data
    counts.data = weights[counts.indices] * tf * np.float32(K1 + 1.0)
    counts.data /= tf + np.repeat(norm, np.diff(counts.indptr))
    return counts.tocsc()


class KeywordIndex:
    """Chunk ids, the vocabulary and the BM25 weight matrix of one store."""

    def __init__(
        self, ids: npt.NDArray[np.int64], vocabulary: dict[str, int], matrix: sparse.csc_matrix
    ) -> None:
        self.ids = ids
        self.vocabulary = vocabulary
        self.matrix = matrix

    @classmethod
    def load(cls, conn: sqlite3.Connection, batch: int = 20_000) -> KeywordIndex:
        """Read every chunk's term ids and build the weight matrix.

        Rows are read ``batch`` at a time, so the term ids exist as Python bytes only for one
        batch and as arrays twice at most (the batches, then their concatenation).
        """
        vocabulary = {term: int(i) for i, term in conn.execute("SELECT id, term FROM vocabulary")}
        cursor = conn.execute(
            "SELECT t.chunk_id, t.ids FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id "
            "ORDER BY t.chunk_id"
        )
        ids: list[npt.NDArray[np.int64]] = []
        sizes: list[npt.NDArray[np.int64]] = []
        terms: list[npt.NDArray[np.int32]] = []
        while rows := cursor.fetchmany(batch):
            ids.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
            sizes.append(
                np.fromiter((len(r[1]) // 4 for r in rows), dtype=np.int64, count=len(rows))
            )
            terms.append(np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int32))
        all_sizes = np.concatenate([np.zeros(1, dtype=np.int64), *sizes])
        indptr = np.cumsum(all_sizes)
        all_terms = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        del terms
        width = max(vocabulary.values(), default=0) + 1
        chunk_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return cls(chunk_ids, vocabulary, bm25_matrix(indptr, all_terms, width))

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, text: str) -> npt.NDArray[np.float32] | None:
        """Every chunk's BM25 score for ``text``, by row; None when no term of it is indexed."""
        columns = [self.vocabulary[t] for t in query_terms(text) if t in self.vocabulary]
        if not columns or len(self.ids) == 0:
            return None
        result: npt.NDArray[np.float32] = np.asarray(self.matrix[:, columns].sum(axis=1)).ravel()
        return result

    def top(
        self,
        scores: npt.NDArray[np.float32] | None,
        limit: int,
        mask: npt.NDArray[np.bool_] | None = None,
    ) -> list[tuple[int, float]]:
        """``(chunk id, score)`` of the ``limit`` best rows with a score above 0, best first."""
        if scores is None or limit <= 0:
            return []
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        limit = min(limit, int(np.count_nonzero(scores)))
        if limit == 0:
            return []
        best = np.argpartition(-scores, limit - 1)[:limit]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in best]

    def search(
        self, text: str, limit: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, BM25 score)`` best first for chunks sharing a term with ``text``."""
        return self.top(self.scores(text), limit, mask)

    def score_of(
        self, scores: npt.NDArray[np.float32] | None, chunk_ids: Sequence[int]
    ) -> list[float]:
        """The score in ``scores`` of each of ``chunk_ids`` (0 for an unknown id)."""
        rows = rows_of(self.ids, chunk_ids)
        if scores is None:
            return [0.0] * len(rows)
        picked = np.where(rows >= 0, scores[np.maximum(rows, 0)], 0.0)
        result: list[float] = picked.tolist()
        return result

    def score(self, text: str, chunk_ids: Sequence[int]) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``text`` (0 for an unknown id)."""
        return self.score_of(self.scores(text), chunk_ids)

    def visible(self, text: str) -> float:
        """The IDF-weighted share of ``text``'s content terms that some chunk contains.

        1.0 for a query in the documents' words; near 0.05 for a Japanese question over English
        documents, whose only visible words are names such as "Northwind" (an unseen term
        weighs as the rarest term there is).
        """
        return visible_share(self._frequency(content_terms(text)), len(self.ids))

    def _frequency(self, terms: list[str]) -> npt.NDArray[np.float64]:
        """How many chunks hold each term (0 for a term the vocabulary lacks)."""
        starts = self.matrix.indptr
        columns = [self.vocabulary.get(t) for t in terms]
        return np.array(
            [0 if c is None else starts[c + 1] - starts[c] for c in columns], dtype=np.float64
        )

    def idf(self, terms: list[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term no chunk contains gets the highest IDF there is."""
        weights = idf(self._frequency(terms), len(self.ids))
        return dict(zip(terms, weights.tolist(), strict=True))
