"""The entry point of every search and answer: the first stage over the index (``Searcher``)
and, when configured, the second that re-scores its best hits (``rerank.Reranking``)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

from yomitoki.index.engine import Filters
from yomitoki.index.fusion import reciprocal_rank_fusion
from yomitoki.index.search import Searcher, clean_query
from yomitoki.rag.rerank import Reranking
from yomitoki.text.analyzer import content_terms
from yomitoki.types import Hit, Mode

#: The k of the fusion of several queries' rankings: small, as they are short (``top``).
FOLLOWUP_RRF_K = 10
#: A term is held when this share of its IDF weight is in visible chunks: all of it.
HELD = 1.0 - 1e-9


class Retriever:
    """The first stage (a searcher) and, when configured, the second (a reranking)."""

    def __init__(self, searcher: Searcher, reranking: Reranking | None = None) -> None:
        self.searcher = searcher
        self.reranking = reranking
        #: The model that embeds queries and passages of this index.
        self.embedder = searcher.embedder

    def idf(self, terms: list[str], filters: Filters) -> dict[str, float]:
        """The BM25 IDF of each term among what ``filters``' readers may see (for scorers
        that weight a question's words)."""
        return self.searcher.idf(terms, filters)

    def visible(self, query: str, filters: Filters | None = None) -> float:
        """The IDF-weighted share of ``query``'s words that some chunk ``filters``' readers
        may see holds: near 1 for a question in the documents' language, near 0 in another."""
        return self.searcher.visible(query, filters or Filters())

    def holds(self, term: str, filters: Filters | None = None) -> bool:
        """Whether some chunk ``filters``' readers may see holds every word of ``term``; a
        term of no content word ("what", "why") is held by none."""
        if not content_terms(term):
            return False
        return self.visible(term, filters) >= HELD

    def close(self) -> None:
        """Release the index."""
        self.searcher.engine.close()

    def search(
        self,
        query: str,
        mode: Mode,
        top: int,
        filters: Filters | None = None,
        rerank: bool | None = None,
    ) -> list[Hit]:
        """The ``top`` best hits; with a reranking (and ``rerank`` not False) the first
        ``depth`` fused hits are re-scored and re-ordered before the cut."""
        if self.reranking is None or rerank is False:
            return self.searcher.search(query, mode, top, filters)
        head = self.searcher.search(query, mode, max(self.reranking.depth, top), filters)
        query = clean_query(query)  # as the first stage read it
        scope = filters or Filters()
        return self.reranking.apply(query, head, lambda terms: self.idf(terms, scope))[:top]

    def search_weighted(
        self, queries: Mapping[str, float], mode: Mode, top: int, filters: Filters | None = None
    ) -> list[Hit]:
        """The ``top`` best hits of several queries, their rankings fused by weight (a
        follow-up's own words, and the same with an earlier question's topic); one query's
        are its own search's, scores as they are."""
        if len(queries) == 1:
            return self.search(next(iter(queries)), mode, top, filters)
        found = {query: self.search(query, mode, top, filters) for query in queries}
        by_id = {h.chunk_id: h for hits in reversed(found.values()) for h in hits}
        rankings = {query: [h.chunk_id for h in hits] for query, hits in found.items()}
        fused = reciprocal_rank_fusion(rankings, FOLLOWUP_RRF_K, dict(queries))
        return [dataclasses.replace(by_id[i], score=score) for i, score in fused[:top]]

    def search_each(
        self,
        each: Sequence[Mapping[str, float]],
        mode: Mode,
        top: int,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """The ``top`` best hits of several things asked at once, their rankings taking turns
        (each thing's best hit, then each one's second...): fused by score, the hits all of
        them rank somewhere (a table of contents) would crowd out each one's own best."""
        if len(each) == 1:
            return self.search_weighted(each[0], mode, top, filters)
        rankings = [self.search_weighted(queries, mode, top, filters) for queries in each]
        taken: dict[int, Hit] = {}
        for hits in itertools.zip_longest(*rankings):
            for hit in hits:
                if hit is not None and hit.chunk_id not in taken:
                    taken[hit.chunk_id] = dataclasses.replace(hit, score=1.0 / (len(taken) + 1))
        return list(taken.values())[:top]
