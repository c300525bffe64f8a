"""Hybrid search over any engine: keyword and vector legs, fused (weighted scores or RRF).

Everything here goes through ``yomitoki.index.engine.Engine``; the filter travels into each
leg, so what a leg returns is already what the filter admits.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from yomitoki.backends.base import Embedder, Vectors
from yomitoki.errors import ConfigError
from yomitoki.index.engine import Engine, Filters, Scored
from yomitoki.index.fusion import Fusion
from yomitoki.types import FusionMethod, Hit, LegScore, Mode

MAX_QUERY_CHARS = 1000


def clean_query(query: str) -> str:
    """A query as search reads it: white space folded, at most ``MAX_QUERY_CHARS``."""
    return " ".join(query.split())[:MAX_QUERY_CHARS]


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """How a search runs: candidates each leg hands to fusion, and the fusion."""

    candidates: int
    fusion: Fusion


class Searcher:
    """Searches one engine with one embedder; safe to call from many threads."""

    def __init__(self, engine: Engine, embedder: Embedder, options: SearchOptions) -> None:
        bound = engine.model()
        if bound is not None and bound != embedder.model_id:
            raise ConfigError(
                f"index {engine.location} holds vectors of '{bound}', "
                f"but the embedder is '{embedder.model_id}'"
            )
        self.engine = engine
        self.embedder = embedder
        self.options = options
        # One search at a time per engine: a server calls from many threads.
        self._lock = threading.RLock()

    def search(
        self,
        query: str,
        mode: Mode,
        top: int,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """The ``top`` best chunks for ``query``; an empty or symbol-only query finds nothing."""
        with self._lock:
            self.engine.sync()
            return self._search(query, Mode(mode), top, filters or Filters())

    def idf(self, terms: list[str], filters: Filters) -> dict[str, float]:
        """The BM25 IDF of each term among what ``filters``' readers may see (for scorers
        that weight a question's words)."""
        with self._lock:
            return self.engine.idf(terms, filters)

    def visible(self, query: str, filters: Filters) -> float:
        """The IDF-weighted share of ``query``'s content terms that some chunk ``filters``'
        readers may see holds (``Engine.visible``)."""
        with self._lock:
            return self.engine.visible(query, filters)

    def _search(self, query: str, mode: Mode, top: int, filters: Filters) -> list[Hit]:
        query = clean_query(query)
        if not query or top <= 0:
            return []
        legs: dict[str, Scored] = {}
        depth = max(self.options.candidates, top)
        if mode in (Mode.KEYWORD, Mode.HYBRID):
            legs["keyword"] = self.engine.keyword_search(query, depth, filters)
        if mode in (Mode.VECTOR, Mode.HYBRID):
            vector = self.embedder.embed_query(query)
            legs["vector"] = self.engine.vector_search(vector, depth, filters)
        if mode is Mode.HYBRID:
            fusion = self.options.fusion
            if fusion.method is FusionMethod.WEIGHTED:
                legs = self._complete(legs, query, vector, filters)
            # A query the keyword leg can only half read (Japanese over English documents,
            # misspelled or absent words) leans on the vector leg accordingly.
            fused = fusion.fuse(legs, self.engine.visible(query, filters))
        else:
            (fused,) = legs.values()
        ranks = {
            leg: {item: LegScore(rank, score) for rank, (item, score) in enumerate(pairs, 1)}
            for leg, pairs in legs.items()
        }
        return self._hits(fused[:top], ranks)

    def _complete(
        self, legs: dict[str, Scored], query: str, vector: Vectors, filters: Filters
    ) -> dict[str, Scored]:
        """Each leg scores every candidate of both legs, best first.

        A chunk one leg ranks first and the other just misses its top ``candidates`` would
        otherwise get nothing from that other leg; its real score there is known, so use it.
        (Measured: bench/results/retrieval_variants.json, "weighted complete".)
        """
        pool = list(dict.fromkeys(item for pairs in legs.values() for item, _ in pairs))
        scores = {
            "keyword": self.engine.keyword_scores(query, pool, filters),
            "vector": self.engine.vector_scores(vector, pool),
        }
        return {
            leg: sorted(zip(pool, scores[leg], strict=True), key=lambda p: -p[1]) for leg in legs
        }

    def _hits(
        self, scored: Sequence[tuple[int, float]], ranks: dict[str, dict[int, LegScore]]
    ) -> list[Hit]:
        stored = self.engine.passages([item for item, _ in scored])
        hits = []
        for item, score in scored:
            passage = stored.get(item)
            if passage is None:  # removed since the legs were loaded
                continue
            legs = {leg: table[item] for leg, table in ranks.items() if item in table}
            hits.append(dataclasses.replace(passage, score=score, legs=legs))
        return hits
