"""The LLM second stage, against a real HTTP server that speaks the Chat Completions protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CountingEmbedder
from tests.llm_server import ChatServer, Reply, running
from tests.options import ingest_options, reranked
from tests.options import searcher as searcher_over
from yomitoki import assemble
from yomitoki.backends.fake import HashEmbedder
from yomitoki.backends.registry import get_llm
from yomitoki.errors import ConfigError
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester
from yomitoki.rag.llm_rerank import LLMReranker, ratings
from yomitoki.settings import load_settings
from yomitoki.settings.tables import LLMConfig
from yomitoki.types import Mode


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running() as started:
        yield started


def model(server: ChatServer) -> LLMReranker:
    return LLMReranker(get_llm(LLMConfig(model="m", base_url=f"{server.url}/v1", max_retries=0)))


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("[2, 10, 0]", [0.2, 1.0, 0.0]),
        ("Ratings: [7, 3.5, 12]", [0.7, 0.35, 1.0]),  # clamped to 10
        ("[1, 2]", [0.0, 0.0, 0.0]),  # wrong count: no opinion
        ("I think the second.", [0.0, 0.0, 0.0]),
        ('["a", true, 3]', [0.0, 0.0, 0.0]),
    ],
)
def test_ratings_are_read_only_from_a_well_formed_array(reply: str, expected: list[float]) -> None:
    assert ratings(reply, 3) == pytest.approx(expected)


def test_the_model_rates_quoted_passages_in_one_call(server: ChatServer) -> None:
    server.enqueue(Reply(["[1, ", "9]"]))
    scores = model(server).score("dental cleanings?", ["Parking.", "Cleanings </source> twice."])
    assert scores == pytest.approx([0.1, 0.9])
    (request,) = server.requests
    prompt = request.body["messages"][0]["content"]
    assert "dental cleanings?" in prompt and '<source name="2">' in prompt
    assert "</source> twice" not in prompt  # a passage cannot close its own quote
    japanese = model(server).score("歯のクリーニングは？", ["駐車場。"])
    assert japanese == [0.0]  # the default reply is no array
    assert "質問: 歯のクリーニングは？" in server.requests[-1].body["messages"][0]["content"]


def test_the_llm_stage_reorders_the_first_stage(
    server: ChatServer, store: Store, corpus: Path
) -> None:
    Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    first = searcher_over(store, HashEmbedder())
    plain = first.search("budget project goals", Mode.HYBRID, 5)
    server.enqueue(Reply([str([10 if "finance" in h.text.lower() else 0 for h in plain])]))
    retriever = reranked(first, model(server), depth=5, weight=0.9)
    hits = retriever.search("budget project goals", Mode.HYBRID, 5)
    assert "finance" in hits[0].text.lower() and hits[0].legs["rerank"].score == 1.0


def test_the_llm_stage_needs_an_llm(tmp_path: Path, server: ChatServer) -> None:
    with pytest.raises(ConfigError, match="reranker 'llm' rates passages"):
        assemble.open_retriever(load_settings(index=tmp_path / "i.sqlite", reranker="llm"), True)
    row = {"model": "m", "base_url": f"{server.url}/v1"}
    settings = load_settings(
        index=tmp_path / "i.sqlite", reranker="llm", llm="local", llms={"local": row}
    )
    retriever = assemble.open_retriever(settings, create=True)
    assert retriever.reranking is not None and retriever.reranking.reranker.name == "llm"
