"""Okapi BM25's constants and IDF, shared by every engine (the SQLite engine computes the
rest over arrays, ``bm25`` scores one chunk)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

K1 = 1.2
B = 0.75


def idf(document_frequency: npt.NDArray[np.float64], documents: int) -> npt.NDArray[np.float64]:
    """Non-negative BM25 IDF (as Lucene computes it): ln(1 + (N - n + 0.5) / (n + 0.5))."""
    result: npt.NDArray[np.float64] = np.log1p(
        (documents - document_frequency + 0.5) / (document_frequency + 0.5)
    )
    return result


def visible_share(document_frequency: npt.NDArray[np.float64], documents: int) -> float:
    """The IDF-weighted share of a query's terms that some chunk contains (see
    ``Engine.visible``): an unseen term weighs as the rarest term there is."""
    weights = idf(document_frequency, documents)
    total = float(weights.sum())
    if total <= 0:
        return 1.0
    return float(weights[document_frequency > 0].sum()) / total


def bm25(
    tokens: Sequence[str], query: Sequence[str], weights: Mapping[str, float], average: float
) -> float:
    """One chunk's score: ``tokens`` are its terms (repeats included), ``query`` the query's
    (a repeated term counts again), ``weights`` their IDF, ``average`` the corpus's average
    chunk length."""
    counts = Counter(tokens)
    norm = K1 * (1.0 - B + B * len(tokens) / average)
    score = 0.0
    for term in query:
        tf = counts.get(term, 0)
        if tf:
            score += weights[term] * tf * (K1 + 1.0) / (tf + norm)
    return score
