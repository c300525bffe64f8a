"""The keyword leg: Okapi BM25 over analyzer terms, from a term-count matrix held in memory.

The store keeps each chunk's term ids (table ``chunk_terms``) in the same transaction as the
chunk itself; this module turns them into a chunks x terms matrix of term counts. A query
weighs only its own columns, so the statistics BM25 needs (how many chunks there are, how
many hold each term, their average length) can be those of the chunks the asker may read:
a word or a length that only a hidden document has moves nothing a reader sees.
(SQLite FTS5 scores every matching row one by one: 170 ms a query at 100k chunks in
bench/search_latency.py.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from yomitoki.index.bm25 import K1, B, idf, visible_share
from yomitoki.index.sqlite.rows import rows_of
from yomitoki.text.analyzer import content_terms, query_terms

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Corpus:
    """The chunks BM25's statistics are taken over: all of them (``mask`` None) or those a
    reader may see. ``norm`` is each row's length normalization against their average."""

    mask: Mask | None
    chunks: int
    norm: npt.NDArray[np.float32]


def term_counts(
    indptr: npt.NDArray[np.int64], terms: npt.NDArray[np.int32], width: int
) -> sparse.csc_matrix:
    """How often each term occurs in each chunk, chunks as rows, terms as columns.

    Chunk ``i``'s term occurrences are ``terms[indptr[i]:indptr[i + 1]]``, repeats included.
    Built in float32 and 32-bit indices without a COO detour: at a million chunks the
    intermediate copies, not the result, set peak memory.
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
    return counts.tocsc()


class KeywordIndex:
    """Chunk ids, the vocabulary, term counts and chunk lengths of one store."""

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        vocabulary: dict[str, int],
        counts: sparse.csc_matrix,
        lengths: npt.NDArray[np.float32],
    ) -> None:
        self.ids = ids
        self.vocabulary = vocabulary
        self.counts = counts
        self.lengths = lengths
        self.everything = self.corpus(None)

    @classmethod
    def of_terms(
        cls,
        ids: npt.NDArray[np.int64],
        vocabulary: dict[str, int],
        indptr: npt.NDArray[np.int64],
        terms: npt.NDArray[np.int32],
    ) -> KeywordIndex:
        """The index of chunks ``ids`` whose term ids are ``terms[indptr[i]:indptr[i + 1]]``."""
        width = max(vocabulary.values(), default=0) + 1
        lengths = np.diff(indptr).astype(np.float32)
        return cls(ids, vocabulary, term_counts(indptr, terms, width), lengths)

    @classmethod
    def load(cls, conn: sqlite3.Connection, batch: int = 20_000) -> KeywordIndex:
        """Read every chunk's term ids.

        Rows are read ``batch`` at a time, so the term ids exist as Python bytes only for one
        batch and as arrays twice at most (the batches, then their concatenation). The
        vocabulary and the chunks' term ids are read in one transaction: read apart, a sync
        committing between them gave chunks term ids past the vocabulary read, and the matrix
        built over them wrote out of its bounds (a segmentation fault in scipy).
        """
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            vocabulary = {
                term: int(i) for i, term in conn.execute("SELECT id, term FROM vocabulary")
            }
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
        finally:
            if own:
                conn.execute("COMMIT")
        indptr = np.cumsum(np.concatenate([np.zeros(1, dtype=np.int64), *sizes]))
        all_terms = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        del terms
        chunk_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return cls.of_terms(chunk_ids, vocabulary, indptr, all_terms)

    def __len__(self) -> int:
        return len(self.ids)

    def corpus(self, mask: Mask | None) -> Corpus:
        """The statistics of the rows ``mask`` admits (None: every row)."""
        lengths = self.lengths if mask is None else self.lengths[mask]
        chunks = len(lengths)
        average = float(lengths.mean()) if chunks and lengths.mean() > 0 else 1.0
        norm = (K1 * (1.0 - B + B * self.lengths / average)).astype(np.float32)
        return Corpus(mask, chunks, norm)

    def _column(self, column: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        start, end = self.counts.indptr[column], self.counts.indptr[column + 1]
        return self.counts.indices[start:end], self.counts.data[start:end]

    def _held_by(self, column: int | None, corpus: Corpus) -> int:
        """How many of the corpus's chunks hold the term of ``column`` (None: no chunk)."""
        if column is None:
            return 0
        rows, _ = self._column(column)
        return len(rows) if corpus.mask is None else int(np.count_nonzero(corpus.mask[rows]))

    def scores(self, text: str, corpus: Corpus) -> npt.NDArray[np.float32] | None:
        """Every chunk's BM25 score for ``text`` under ``corpus``'s statistics, by row; None
        when no term of it is indexed."""
        columns = [self.vocabulary[t] for t in query_terms(text) if t in self.vocabulary]
        return self.weigh(columns, corpus)

    def weigh(self, columns: Sequence[int], corpus: Corpus) -> npt.NDArray[np.float32] | None:
        """Every chunk's BM25 score for the terms of ``columns`` (a repeated one counts
        again), under ``corpus``'s statistics; None for no columns."""
        if not columns or len(self.ids) == 0:
            return None
        result = np.zeros(len(self.ids), dtype=np.float32)
        for column in columns:
            rows, tf = self._column(column)
            held = np.array([self._held_by(column, corpus)], dtype=np.float64)
            weight = np.float32(idf(held, corpus.chunks)[0])
            result[rows] += weight * tf * np.float32(K1 + 1.0) / (tf + corpus.norm[rows])
        return result

    def top(
        self,
        scores: npt.NDArray[np.float32] | None,
        limit: int,
        mask: Mask | None = None,
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

    def search(self, text: str, limit: int, mask: Mask | None = None) -> list[tuple[int, float]]:
        """``(chunk id, BM25 score)`` best first for chunks sharing a term with ``text``,
        among those ``mask`` admits and weighed by their statistics."""
        return self.top(self.scores(text, self.corpus(mask)), limit, mask)

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

    def visible(self, text: str, corpus: Corpus) -> float:
        """The IDF-weighted share of ``text``'s content terms that some chunk of ``corpus``
        contains.

        1.0 for a query in the documents' words; near 0.05 for a Japanese question over English
        documents, whose only visible words are names such as "Northwind" (an unseen term
        weighs as the rarest term there is).
        """
        return visible_share(self._frequency(content_terms(text), corpus), corpus.chunks)

    def _frequency(self, terms: list[str], corpus: Corpus) -> npt.NDArray[np.float64]:
        """How many chunks of ``corpus`` hold each term (0 for a term the vocabulary lacks)."""
        held = [self._held_by(self.vocabulary.get(t), corpus) for t in terms]
        return np.array(held, dtype=np.float64)

    def idf(self, terms: list[str], corpus: Corpus) -> dict[str, float]:
        """BM25 IDF of each term in ``corpus``; a term none of its chunks holds gets the
        highest IDF there is."""
        weights = idf(self._frequency(terms, corpus), corpus.chunks)
        return dict(zip(terms, weights.tolist(), strict=True))
