"""Hybrid search: keyword and vector legs, fused (weighted scores or RRF), with filters."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from yomitoki.backends import embedder_for_model, get_embedder, get_reranker
from yomitoki.backends.base import Embedder, Reranker, Vectors
from yomitoki.errors import ConfigError
from yomitoki.index.fusion import RRF_K, reciprocal_rank_fusion, weighted_score_fusion
from yomitoki.index.keyword import KeywordIndex
from yomitoki.index.store import Store, location_of, page_breaks_of
from yomitoki.index.vectors import VectorIndex
from yomitoki.settings import Settings
from yomitoki.types import Hit, LegScore

MAX_QUERY_CHARS = 1000


class Mode(StrEnum):
    """Which legs a search uses."""

    KEYWORD = "keyword"
    VECTOR = "vector"
    HYBRID = "hybrid"


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on which documents a search may return."""

    categories: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    path_prefix: str | None = None

    def active(self) -> bool:
        """True when any restriction is set."""
        return bool(self.categories or self.exclude_categories or self.path_prefix)


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the legs of a hybrid search are combined."""

    method: Literal["weighted", "rrf"] = "weighted"
    vector_weight: float = 0.6
    rrf_k: int = RRF_K

    def fuse(
        self, legs: dict[str, list[tuple[int, float]]], keyword_share: float = 1.0
    ) -> list[tuple[int, float]]:
        """One ranked list of ``(chunk id, fused score)`` from each leg's ranked pairs.

        ``keyword_share`` scales the keyword leg's weight: the share of the query the index's
        vocabulary can see (see ``KeywordIndex.visible``).
        """
        keyword = (1.0 - self.vector_weight) * keyword_share
        weights = {"vector": self.vector_weight, "keyword": keyword}
        if self.method == "rrf":
            ranked = {leg: [i for i, _ in pairs] for leg, pairs in legs.items()}
            return reciprocal_rank_fusion(ranked, self.rrf_k, weights)
        return weighted_score_fusion(legs, weights)


class Searcher:
    """Searches one open store. Vectors are loaded on first vector search."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        candidates: int = 50,
        fusion: Fusion | None = None,
        ann_threshold: int = 300_000,
        reranker: Reranker | None = None,
        rerank_depth: int = 30,
        rerank_weight: float = 0.3,
    ) -> None:
        bound = store.model()
        if bound is not None and bound != embedder.model_id:
            raise ConfigError(
                f"index {store.path} holds vectors of '{bound}', "
                f"but the embedder is '{embedder.model_id}'"
            )
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.fusion = fusion or Fusion()
        self.ann_threshold = ann_threshold
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self.rerank_weight = rerank_weight
        if reranker is not None:
            reranker.bind(lambda terms: self.keywords.idf(terms))
        self._vectors: VectorIndex | None = None
        self._keywords: KeywordIndex | None = None
        # One search at a time per store connection; a server calls from many threads.
        self._lock = threading.RLock()
        self._version = self._data_version()

    def refresh(self) -> None:
        """Forget the in-memory legs so the next search sees documents added or removed since."""
        with self._lock:
            self._vectors = None
            self._keywords = None

    def _data_version(self) -> int:
        (version,) = self.store.connection.execute("PRAGMA data_version").fetchone()
        return int(version)

    def follow_writers(self) -> None:
        """Reload the legs when another connection (an ingest, an upload) committed since.

        ``PRAGMA data_version`` changes exactly when another connection commits to the file,
        so a server sees a CLI ingest at its next search and reloads nothing while the index
        is unchanged. The check costs one statement.
        """
        with self._lock:
            version = self._data_version()
            if version != self._version:
                self._version = version
                self.refresh()

    @property
    def vectors(self) -> VectorIndex:
        """The in-memory vector matrix, loaded once."""
        if self._vectors is None:
            vectors = VectorIndex.load(self.store.connection, self.embedder.dim)
            if len(vectors) >= self.ann_threshold:
                vectors = vectors.with_graph(VectorIndex.graph_path(self.store.path))
            self._vectors = vectors
        return self._vectors

    @property
    def keywords(self) -> KeywordIndex:
        """The in-memory BM25 matrix, loaded once."""
        with self._lock:
            if self._keywords is None:
                self._keywords = KeywordIndex.load(self.store.connection)
            return self._keywords

    def _allowed(self, filters: Filters) -> set[int] | None:
        if not filters.active():
            return None
        sql = "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE 1"
        args: list[str] = []
        if filters.categories:
            sql += f" AND d.category IN ({','.join('?' * len(filters.categories))})"
            args += filters.categories
        if filters.exclude_categories:
            marks = ",".join("?" * len(filters.exclude_categories))
            sql += f" AND (d.category IS NULL OR d.category NOT IN ({marks}))"
            args += filters.exclude_categories
        if filters.path_prefix:
            sql += " AND substr(d.name, 1, ?) = ?"
            args += [str(len(filters.path_prefix)), filters.path_prefix]
        return {row[0] for row in self.store.connection.execute(sql, args)}

    def search(
        self,
        query: str,
        mode: Mode = Mode.HYBRID,
        top: int = 5,
        filters: Filters | None = None,
        rerank: bool | None = None,
    ) -> list[Hit]:
        """The ``top`` best chunks for ``query``; an empty or symbol-only query finds nothing.

        With a reranker (and ``rerank`` not False) the first ``rerank_depth`` fused hits are
        re-scored by it and re-ordered.
        """
        with self._lock:
            self.follow_writers()
            hits = self._search(query, mode, top, filters, rerank)
        return hits

    def _search(
        self, query: str, mode: Mode, top: int, filters: Filters | None, rerank: bool | None
    ) -> list[Hit]:
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        if not query or top <= 0:
            return []
        allowed = self._allowed(filters or Filters())
        if allowed is not None and not allowed:
            return []
        legs: dict[str, list[tuple[int, float]]] = {}
        depth = max(self.candidates, top)
        if mode in (Mode.KEYWORD, Mode.HYBRID):
            keywords = self.keywords
            in_filter = None if allowed is None else np.isin(keywords.ids, list(allowed))
            keyword_scores = keywords.scores(query)
            legs["keyword"] = keywords.top(keyword_scores, depth, in_filter)
        if mode in (Mode.VECTOR, Mode.HYBRID):
            mask = None if allowed is None else np.isin(self.vectors.ids, list(allowed))
            vector = self.embedder.embed_query(query)
            legs["vector"] = self.vectors.search(vector, depth, mask)
        if mode is Mode.HYBRID:
            if self.fusion.method == "weighted":
                legs = self._complete(legs, keyword_scores, vector)
            # A query the keyword leg can only half read (Japanese over English documents,
            # misspelled or absent words) leans on the vector leg accordingly.
            fused = self.fusion.fuse(legs, self.keywords.visible(query))
        else:
            (fused,) = legs.values()
        ranks = {
            leg: {item: LegScore(rank, score) for rank, (item, score) in enumerate(pairs, 1)}
            for leg, pairs in legs.items()
        }
        if self.reranker is not None and rerank is not False:
            head = self._hits(fused[: max(self.rerank_depth, top)], ranks)
            return self._rerank(self.reranker, query, head)[:top]
        return self._hits(fused[:top], ranks)

    def _complete(
        self,
        legs: dict[str, list[tuple[int, float]]],
        keyword_scores: npt.NDArray[np.float32] | None,
        vector: Vectors,
    ) -> dict[str, list[tuple[int, float]]]:
        """Each leg scores every candidate of both legs, best first.

        A chunk one leg ranks first and the other just misses its top ``candidates`` would
        otherwise get nothing from that other leg; its real score there is known, so use it.
        (Measured: bench/results/retrieval_variants.json, "weighted complete".)
        """
        pool = list(dict.fromkeys(item for pairs in legs.values() for item, _ in pairs))
        scores = {
            "keyword": self.keywords.score_of(keyword_scores, pool),
            "vector": self.vectors.score(vector, pool),
        }
        return {
            leg: sorted(zip(pool, scores[leg], strict=True), key=lambda p: -p[1]) for leg in legs
        }

    def _rerank(self, reranker: Reranker, query: str, hits: list[Hit]) -> list[Hit]:
        """Blend the first-stage score (as a share of the best one) with the reranker's."""
        if not hits:
            return hits
        scores = reranker.score(query, [h.text for h in hits])
        first = np.array([h.score for h in hits])
        base = first / first.max() if first.max() > 0 else np.ones_like(first)
        blended = (1 - self.rerank_weight) * base + self.rerank_weight * np.array(scores)
        by_reranker = {i: rank for rank, i in enumerate(np.argsort(-np.array(scores)), 1)}
        order = np.argsort(-blended, kind="stable")
        return [
            dataclasses.replace(
                hits[i],
                score=float(blended[i]),
                legs={**hits[i].legs, "rerank": LegScore(by_reranker[i], float(scores[i]))},
            )
            for i in order
        ]

    def _hits(
        self, scored: Sequence[tuple[int, float]], ranks: dict[str, dict[int, LegScore]]
    ) -> list[Hit]:
        if not scored:
            return []
        ids = [item for item, _ in scored]
        rows = self.store.connection.execute(
            "SELECT c.id, d.name, c.page, c.slide, c.sheet, c.row_first, c.row_last, c.heading, "
            "c.page_end, c.text, d.category, d.title, c.page_breaks "
            "FROM chunks c JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        hits = []
        for item, score in scored:
            row = by_id.get(item)
            if row is None:  # removed since the vectors were loaded
                continue
            _, name, page, slide, sheet, first, last, heading, page_end = row[:9]
            text, category, title, breaks = row[9:]
            location = location_of(page, slide, sheet, first, last, heading, page_end)
            legs = {leg: table[item] for leg, table in ranks.items() if item in table}
            hits.append(
                Hit(
                    item, name, location, text, score, legs, category, title, page_breaks_of(breaks)
                )
            )
        return hits


def open_searcher(settings: Settings, create: bool = False) -> Searcher:
    """A searcher over the settings' index, with the embedder the index was built with."""
    store = Store.open(settings.index, create=create)
    model = store.model()
    embedder = embedder_for_model(model) if model else get_embedder(settings.embedder)
    fusion = Fusion(settings.fusion, settings.vector_weight, settings.rrf_k)
    reranker = get_reranker(settings.reranker) if settings.reranker else None
    return Searcher(
        store, embedder, settings.candidates, fusion, settings.ann_threshold,
        reranker, settings.rerank_depth, settings.rerank_weight,
    )  # fmt: skip
