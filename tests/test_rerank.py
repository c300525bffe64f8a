"""The second stage: the local sentence scorer, and any reranker plugged into a searcher."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.conftest import CountingEmbedder
from tests.options import ingest_options, reranked
from tests.options import searcher as searcher_over
from yomitoki.backends.base import Reranker, RerankerInputs
from yomitoki.backends.fake import HashEmbedder
from yomitoki.backends.registry import get_reranker
from yomitoki.errors import ConfigError
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester
from yomitoki.rag.rerank import SentenceCoverage
from yomitoki.types import Mode


@pytest.mark.parametrize(
    ("query", "passage", "expected"),
    [
        ("dental cleaning limit", "Intro text here. The dental cleaning limit is two a year.", 1.0),
        ("dental cleaning limit", "Dental care matters. Cleaning is good. Limits apply.", 1 / 3),
        ("dental cleaning limit", "Nothing related at all in this passage.", 0.0),
        ("有給休暇の日数", "就業規則です。年次有給休暇の日数は10日です。", 1.0),
        ("", "Anything.", 0.0),
    ],
)
def test_sentence_coverage_scores_the_best_sentence(
    query: str, passage: str, expected: float
) -> None:
    assert SentenceCoverage().score(query, [passage]) == [pytest.approx(expected)]


def test_sentence_coverage_weights_words_by_index_idf() -> None:
    scorer = SentenceCoverage(lambda terms: {t: (9.0 if t == "dental" else 1.0) for t in terms})
    (score,) = scorer.score("dental plan", ["The dental benefit is generous."])
    assert score == pytest.approx(0.9)


NOTHING = RerankerInputs(llm=None, model_folder=None, prompt_dir=None)


def test_every_reranker_is_found_in_the_registry_and_says_what_it_needs() -> None:
    """One way to choose a reranker: the built-in ones are entry points like a plug-in's."""
    assert isinstance(get_reranker("sentence", NOTHING), SentenceCoverage)
    with pytest.raises(ConfigError, match="unknown reranker 'nope'"):
        get_reranker("nope", NOTHING)
    with pytest.raises(ConfigError, match="set llm"):
        get_reranker("llm", NOTHING)
    with pytest.raises(ConfigError, match="cross_encoder setting"):
        get_reranker("cross-encoder", NOTHING)
    names = {ep.name for ep in entry_points(group="yomitoki.rerankers")}
    assert names == {"sentence", "llm", "cross-encoder"}


class Prefers(Reranker):
    """A plugged-in backend that likes passages mentioning one word."""

    name = "prefers"

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls = 0

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        self.calls += 1
        return [1.0 if self.word in p.lower() else 0.0 for p in passages]


def test_a_plugged_in_reranker_reorders_and_reports_its_leg(store: Store, corpus: Path) -> None:
    Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    first_stage = searcher_over(store, HashEmbedder())
    plain = first_stage.search("budget project goals", Mode.HYBRID, 5)
    assert plain[0].citation() == "deck.pptx#slide=1"
    reranker = Prefers("finance")
    searcher = reranked(first_stage, reranker, weight=0.9)
    hits = searcher.search("budget project goals", Mode.HYBRID, 5)
    assert hits[0].citation() == "deck.pptx#slide=2"
    assert hits[0].legs["rerank"].rank == 1 and hits[0].legs["rerank"].score == 1.0
    assert {"keyword", "vector"} <= set(hits[0].legs)
    # rerank=False is the first stage alone.
    first = searcher.search("budget project goals", Mode.HYBRID, 5, rerank=False)
    assert [h.chunk_id for h in first] == [h.chunk_id for h in plain]
    assert reranker.calls == 1
