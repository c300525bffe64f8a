"""Rank fusion: pure functions over ranked lists of ids, and the fusion a search uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from yomitoki.types import FusionMethod


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[int]],
    k: int,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: ``score(d) = sum_leg weight / (k + rank_leg(d))``.

    Ranks are 1-based; an id missing from a leg gets nothing from it. Ties keep the order in
    which ids were first seen, leg by leg, so the result is deterministic.
    """
    scores: dict[int, float] = {}
    for leg, ids in rankings.items():
        weight = 1.0 if weights is None else weights.get(leg, 1.0)
        seen: set[int] = set()
        for rank, item in enumerate(ids, start=1):
            if item in seen:  # a duplicate within one leg counts once, at its best rank
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


def min_max(scores: Sequence[float]) -> list[float]:
    """Scale scores to [0, 1]; all-equal scores become 1."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0] * len(scores)
    return [(s - low) / (high - low) for s in scores]


def weighted_score_fusion(
    legs: Mapping[str, Sequence[tuple[int, float]]],
    weights: Mapping[str, float],
) -> list[tuple[int, float]]:
    """Fuse min-max-normalized scores with per-leg weights; missing ids contribute 0."""
    fused: dict[int, float] = {}
    for leg, pairs in legs.items():
        normalized = min_max([score for _, score in pairs])
        for (item, _), norm in zip(pairs, normalized, strict=True):
            fused[item] = fused.get(item, 0.0) + weights.get(leg, 1.0) * norm
    order = {item: i for i, item in enumerate(fused)}
    return sorted(fused.items(), key=lambda pair: (-pair[1], order[pair[0]]))


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the legs of a hybrid search are combined (settings ``fusion``, ``vector_weight``,
    ``rrf_k``; yomitoki.assemble builds this from them)."""

    method: FusionMethod
    vector_weight: float
    rrf_k: int

    def fuse(
        self, legs: dict[str, list[tuple[int, float]]], keyword_share: float = 1.0
    ) -> list[tuple[int, float]]:
        """One ranked list of ``(chunk id, fused score)`` from each leg's ranked pairs.

        ``keyword_share`` scales the keyword leg's weight: the share of the query the index's
        vocabulary can see (see ``Engine.visible``).
        """
        keyword = (1.0 - self.vector_weight) * keyword_share
        weights = {"vector": self.vector_weight, "keyword": keyword}
        if self.method is FusionMethod.RRF:
            ranked = {leg: [i for i, _ in pairs] for leg, pairs in legs.items()}
            return reciprocal_rank_fusion(ranked, self.rrf_k, weights)
        return weighted_score_fusion(legs, weights)
