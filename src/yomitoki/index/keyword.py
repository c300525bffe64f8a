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

from yomitoki.index.analyzer import STOP_WORDS, analyze, bigrams
from yomitoki.index.rows import rows_of

MAX_QUERY_TERMS = 64
K1 = 1.2
B = 0.75


def content_terms(text: str) -> list[str]:
    """Distinct analyzed terms of ``text``; English stop words dropped unless nothing else is."""
    terms = list(dict.fromkeys(analyze(text)))
    content = [t for t in terms if t not in STOP_WORDS]
    return content or terms


def query_terms(text: str) -> list[str]:
    """A query's content terms and adjacent pairs of them, at most ``MAX_QUERY_TERMS``."""
    pairs = bigrams(analyze(text))
    return list(dict.fromkeys([*content_terms(text), *pairs]))[:MAX_QUERY_TERMS]


def idf(document_frequency: npt.NDArray[np.float64], documents: int) -> npt.NDArray[np.float64]:
    """Non-negative BM25 IDF (as Lucene computes it): ln(1 + (N - n + 0.5) / (n + 0.5))."""
    result: npt.NDArray[np.float64] = np.log1p(
        (documents - document_frequency + 0.5) / (document_frequency + 0.5)
    )
    return result


def bm25_matrix(
    rows: npt.NDArray[np.int64], terms: npt.NDArray[np.int64], shape: tuple[int, int]
) -> sparse.csc_matrix:
    """BM25 weights of every (chunk, term) pair from one entry per term occurrence."""
    counts = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, terms)), shape=shape
    )  # duplicates add up: term frequencies
    counts.sum_duplicates()
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
    df = np.bincount(counts.indices, minlength=shape[1]).astype(np.float64)
    weights = idf(df, shape[0])
    tf = counts.data
    row_of = np.repeat(np.arange(shape[0]), np.diff(counts.indptr))
    norm = K1 * (1.0 - B + B * lengths[row_of] / average)
    counts.data = weights[counts.indices] * tf * (K1 + 1.0) / (tf + norm)
    return counts.tocsc().astype(np.float32)


class KeywordIndex:
    """Chunk ids, the vocabulary and the BM25 weight matrix of one store."""

    def __init__(
        self, ids: npt.NDArray[np.int64], vocabulary: dict[str, int], matrix: sparse.csc_matrix
    ) -> None:
        self.ids = ids
        self.vocabulary = vocabulary
        self.matrix = matrix

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> KeywordIndex:
        """Read every chunk's term ids and build the weight matrix."""
        vocabulary = {term: int(i) for i, term in conn.execute("SELECT id, term FROM vocabulary")}
        rows = conn.execute(
            "SELECT t.chunk_id, t.ids FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id "
            "ORDER BY t.chunk_id"
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        sizes = np.fromiter((len(r[1]) // 4 for r in rows), dtype=np.int64, count=len(rows))
        terms = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int32).astype(np.int64)
        del rows
        width = max(vocabulary.values(), default=0) + 1
        row_index = np.repeat(np.arange(len(ids)), sizes)
        return cls(ids, vocabulary, bm25_matrix(row_index, terms, (len(ids), width)))

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, text: str, limit: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, BM25 score)`` best first for chunks sharing a term with ``text``."""
        columns = [self.vocabulary[t] for t in query_terms(text) if t in self.vocabulary]
        if not columns or len(self.ids) == 0 or limit <= 0:
            return []
        scores = np.asarray(self.matrix[:, columns].sum(axis=1)).ravel()
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        matched = int(np.count_nonzero(scores))
        limit = min(limit, matched)
        if limit == 0:
            return []
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top]

    def score(self, text: str, chunk_ids: Sequence[int]) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``text`` (0 for an unknown id)."""
        columns = [self.vocabulary[t] for t in query_terms(text) if t in self.vocabulary]
        rows = rows_of(self.ids, chunk_ids)
        scores = np.zeros(len(rows))
        found = rows >= 0
        if columns and found.any():
            part = self.matrix[:, columns].tocsr()[rows[found]]
            scores[found] = np.asarray(part.sum(axis=1)).ravel()
        result: list[float] = scores.tolist()
        return result

    def idf(self, terms: list[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term no chunk contains gets the highest IDF there is."""
        documents = len(self.ids)
        starts = self.matrix.indptr
        columns = [self.vocabulary.get(t) for t in terms]
        frequency = np.array(
            [0 if c is None else starts[c + 1] - starts[c] for c in columns], dtype=np.float64
        )
        return dict(zip(terms, idf(frequency, documents).tolist(), strict=True))
