"""The entry point of every search and answer: the first stage over the index (``Searcher``)
and, when configured, the second that re-scores its best hits (``rerank.Reranking``)."""

from __future__ import annotations

from yomitoki.index.engine import Filters
from yomitoki.index.search import Searcher, clean_query
from yomitoki.rag.rerank import Reranking
from yomitoki.types import Hit, Mode


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
