"""Okapi BM25's constants and IDF, shared by every engine (each computes the rest itself)."""

from __future__ import annotations

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
