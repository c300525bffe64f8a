"""BM25 against a textbook loop implementation, on random corpora, over every chunk or only
those a reader may see."""

import math
from collections import Counter

import numpy as np
import pytest

from yomitoki.index.bm25 import K1, B, bm25, idf
from yomitoki.index.sqlite.keyword import KeywordIndex
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


def keyword_index(docs: list[list[int]], width: int) -> KeywordIndex:
    indptr = np.cumsum([0] + [len(d) for d in docs]).astype(np.int64)
    terms = np.concatenate([np.array(d, dtype=np.int32) for d in docs])
    vocabulary = {str(t): t for t in range(width)}
    return KeywordIndex.of_terms(np.arange(len(docs), dtype=np.int64), vocabulary, indptr, terms)


def random_docs(seed: int, width: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    docs = [list(rng.zipf(1.5, size=int(rng.integers(1, 30))) % width) for _ in range(60)]
    docs[7] = []  # a chunk whose text has no terms
    return docs


@pytest.mark.parametrize("seed", range(5))
def test_scores_equal_the_reference(seed: int) -> None:
    width = 40
    docs = random_docs(seed, width)
    index = keyword_index(docs, width)
    rng = np.random.default_rng(seed)
    for query in ([1], [1, 2, 3], [0, 7, 39], list(rng.integers(0, width, size=6))):
        columns = sorted(set(int(q) for q in query))
        got = index.weigh(columns, index.everything)
        assert got is not None and got.dtype == np.float32
        assert got == pytest.approx(reference_bm25(docs, columns), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_a_readers_scores_are_those_of_an_index_of_only_what_they_may_read(seed: int) -> None:
    width = 40
    docs = random_docs(seed, width)
    seen = np.random.default_rng(seed + 100).random(len(docs)) < 0.5
    index = keyword_index(docs, width)
    alone = [doc for doc, keep in zip(docs, seen, strict=True) if keep]
    corpus = index.corpus(seen)
    for columns in ([1], [1, 2, 3], [0, 7, 39]):
        got = index.weigh(columns, corpus)
        assert got is not None
        expected = reference_bm25(alone, columns)
        assert got[seen] == pytest.approx(expected, rel=1e-5, abs=1e-6)
    held = index.idf([str(t) for t in range(width)], corpus)
    for term in range(width):
        df = sum(1 for doc in alone if term in doc)
        assert held[str(term)] == pytest.approx(math.log(1 + (len(alone) - df + 0.5) / (df + 0.5)))


def test_one_chunks_score_equals_the_reference() -> None:
    docs = random_docs(3, 20)
    query = [1, 2, 5]
    n = len(docs)
    df = np.array([sum(1 for d in docs if t in d) for t in query], dtype=np.float64)
    weights = dict(zip(map(str, query), idf(df, n).tolist(), strict=True))
    average = sum(map(len, docs)) / n
    got = [bm25([str(t) for t in d], [str(t) for t in query], weights, average) for d in docs]
    assert got == pytest.approx(reference_bm25(docs, query))


def test_empty_corpus_builds() -> None:
    index = KeywordIndex.of_terms(
        np.zeros(0, dtype=np.int64), {}, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    )
    assert len(index) == 0 and index.weigh([0], index.everything) is None


def test_rows_of_maps_ids_to_rows_and_marks_unknown_ones() -> None:
    ids = np.array([3, 8, 20, 21], dtype=np.int64)
    assert rows_of(ids, [20, 3, 99, 0, 21]).tolist() == [2, 0, -1, -1, 3]
    assert rows_of(np.array([], dtype=np.int64), [1, 2]).tolist() == [-1, -1]
