"""The core's option objects as the default settings make them, with changes for one test.

The core's options have no defaults of their own (those live in ``settings.py`` only), so a
test builds them the way the CLI and server do: through ``yomitoki.assemble``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from yomitoki import assemble
from yomitoki.backends.base import Embedder, Reranker
from yomitoki.index.engine import Engine
from yomitoki.index.fusion import Fusion
from yomitoki.index.search import Searcher
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.ocr.reader import PageReader
from yomitoki.ingest.work import IngestOptions
from yomitoki.rag.answer import Answerer, AnswerOptions
from yomitoki.rag.answerability import FEATURES, Answerability
from yomitoki.rag.rerank import Reranking
from yomitoki.rag.retriever import Retriever
from yomitoki.settings import Settings
from yomitoki.types import FusionMethod

DEFAULTS = Settings()


def open_store(path: Path, **changes: Any) -> Store:
    """The SQLite index at ``path``, opened as the default settings open it."""
    return Store.open(path, **{"ann_threshold": DEFAULTS.ann_threshold, **changes})


def ingest_options(**changes: Any) -> IngestOptions:
    return dataclasses.replace(assemble.ingest_options(DEFAULTS), **changes)


def answer_options(**changes: Any) -> AnswerOptions:
    return dataclasses.replace(assemble.answer_options(DEFAULTS), **changes)


def calibration(bias: float = 0.0, threshold: float = 0.5, **weights: float) -> Answerability:
    """An answerability model that weighs only the named features."""
    assert set(weights) <= set(FEATURES), f"no such feature: {set(weights) - set(FEATURES)}"
    return Answerability(tuple(weights.get(n, 0.0) for n in FEATURES), bias, threshold)


#: Refuses unless one sentence holds three quarters of the question's words (IDF-weighted: a
#: rare word missing is enough), whatever the cosines say (the hash embedder's mean nothing).
WORDS = calibration(bias=-6.0, coverage=8.0)


def fusion(method: str = "weighted", vector_weight: float | None = None) -> Fusion:
    weight = DEFAULTS.vector_weight if vector_weight is None else vector_weight
    return Fusion(FusionMethod(method), weight, DEFAULTS.rrf_k)


def searcher(engine: Engine, embedder: Embedder, **changes: Any) -> Searcher:
    """A searcher with the default options; ``candidates`` or ``fusion`` changed if given."""
    options = dataclasses.replace(assemble.search_options(DEFAULTS), **changes)
    return Searcher(engine, embedder, options)


def answerer(searcher: Searcher, llm: Any = None, **changes: Any) -> Answerer:
    """An answerer over ``searcher`` (no reranker) with the default options changed."""
    return Answerer(Retriever(searcher), llm, answer_options(**changes))


def reranked(searcher: Searcher, reranker: Reranker, **changes: Any) -> Retriever:
    """``searcher`` followed by ``reranker`` with the default depth and weight changed."""
    stage = Reranking(reranker, DEFAULTS.rerank_depth, DEFAULTS.rerank_weight)
    return Retriever(searcher, dataclasses.replace(stage, **changes))


def ocr_reader(**changes: Any) -> PageReader:
    """An OCR reader with the default options changed (``cache``, ``languages``, ...)."""
    return PageReader(dataclasses.replace(assemble.ocr_options(DEFAULTS), **changes))
