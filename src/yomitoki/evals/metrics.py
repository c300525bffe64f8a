"""Retrieval metrics as pure functions over citation strings."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KS = (1, 3, 5, 10)


def _split(citation: str) -> tuple[str, str]:
    name, _, anchor = citation.partition("#")
    return name.rsplit("/", 1)[-1].lower(), anchor.lower()


def matches(relevant: str, hit: str) -> bool:
    """Does ``hit`` (``dir/file.pdf#page=7``) satisfy ``relevant`` (``file.pdf#page=7``)?

    File names compare without folders and case; a relevant entry without an anchor matches
    any location in that file.
    """
    want_name, want_anchor = _split(relevant)
    got_name, got_anchor = _split(hit)
    return want_name == got_name and (not want_anchor or want_anchor == got_anchor)


def first_relevant_rank(relevant: Sequence[str], hits: Sequence[Sequence[str]]) -> int | None:
    """1-based rank of the first hit any of whose locations matches a relevant citation.

    Each hit is the list of locations it covers: one, or every page of a chunk that runs
    from one page onto the next.
    """
    for rank, locations in enumerate(hits, start=1):
        if any(matches(r, loc) for r in relevant for loc in locations):
            return rank
    return None


@dataclass(frozen=True, slots=True)
class RetrievalSummary:
    """Hit rates at each k and mean reciprocal rank over a set of questions."""

    questions: int
    hit_at: dict[int, float]
    mrr: float


def summarize(ranks: Sequence[int | None], ks: Sequence[int] = KS) -> RetrievalSummary:
    """Aggregate first-relevant ranks: hit@k is the share with rank <= k; MRR over all."""
    n = len(ranks)
    if n == 0:
        return RetrievalSummary(0, {k: 0.0 for k in ks}, 0.0)
    hit_at = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in ks}
    mrr = sum(1.0 / r for r in ranks if r is not None) / n
    return RetrievalSummary(n, hit_at, mrr)


def citations_matched(truth: Sequence[str], cited: Sequence[str]) -> float:
    """Share of the truth's citations that the answer cites (ai-rag-chat-evaluator's metric)."""
    if not truth:
        return 0.0
    return sum(1 for t in set(truth) if any(matches(t, c) for c in cited)) / len(set(truth))


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Does ``text`` hold one of the reference ``answers`` (width, case and spaces ignored)?

    How extractive QA sets such as JSQuAD are scored when the answer is free text: "2006年"
    is found in "…２００６年に完了した", "団結権、団体交渉権" in "団結権、 団体交渉権".
    """
    plain = _plain(text)
    return any(a.strip() and _plain(a) in plain for a in answers)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile by linear interpolation (numpy's default); 0 for no values.
    The one percentile the evals and the benchmarks report."""
    return float(np.percentile(values, q)) if len(values) else 0.0
