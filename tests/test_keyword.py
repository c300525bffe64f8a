"""The BM25 matrix against a textbook loop implementation, on random corpora."""

import math
from collections import Counter

import numpy as np
import pytest

from yomitoki.index.bm25 import K1, B
from yomitoki.index.sqlite.keyword import bm25_matrix
from yomitoki.index.sqlite.rows import rows_of


def reference_bm25(docs: list[list[int]], query: list[int]) -> list[float]:
    """Okapi BM25 with Lucene's non-negative IDF, one document at a time."""
    n = len(docs)
    average = sum(map(len, docs)) / n
    df = Counter(t for doc in docs for t in set(doc))
    scores = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term in query:
            if tf[term] == 0:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            norm = K1 * (1 - B + B * len(doc) / average)
            score += idf * tf[term] * (K1 + 1) / (tf[term] + norm)
        scores.append(score)
    return scores


@pytest.mark.parametrize("seed", range(5))
def test_matrix_scores_equal_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vocabulary = 40
    docs = [list(rng.zipf(1.5, size=int(rng.integers(1, 30))) % vocabulary) for _ in range(60)]
    docs[7] = []  # a chunk whose text has no terms
    indptr = np.cumsum([0] + [len(d) for d in docs])
    terms = np.concatenate([np.array(d, dtype=np.int32) for d in docs])
    matrix = bm25_matrix(indptr, terms, vocabulary)
    assert matrix.shape == (len(docs), vocabulary) and matrix.dtype == np.float32
    for query in ([1], [1, 2, 3], [0, 7, 39], list(rng.integers(0, vocabulary, size=6))):
        columns = sorted(set(int(q) for q in query))
        got = np.asarray(matrix[:, columns].sum(axis=1)).ravel()
        assert got == pytest.approx(reference_bm25(docs, columns), rel=1e-5, abs=1e-6)


def test_empty_corpus_builds() -> None:
    matrix = bm25_matrix(np.zeros(1, dtype=np.int64), np.array([], dtype=np.int32), 1)
    assert matrix.shape == (0, 1)


def test_rows_of_maps_ids_to_rows_and_marks_unknown_ones() -> None:
    ids = np.array([3, 8, 20, 21], dtype=np.int64)
    assert rows_of(ids, [20, 3, 99, 0, 21]).tolist() == [2, 0, -1, -1, 3]
    assert rows_of(np.array([], dtype=np.int64), [1, 2]).tolist() == [-1, -1]
