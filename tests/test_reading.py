"""``/view``: a document without pages as a page to read, the cited sentence marked, its
markup shown as text, never run; and the first screen's ``/config``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import ingest_options, open_store
from tests.servers import settings_for
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app

RULES = (
    "# 就業規則\n\n## 第22条 年次有給休暇\n\n"
    "年次有給休暇は「入社（試用期間を含む。）から６か月」継続勤務した者に10日付与する。"
    "出勤率が８割未満の者には付与しない。\n\n"
    "## 第23条 退職\n\n退職は30日前に届け出る。<script>alert(1)</script>\n"
)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    builders.text(docs / "hr" / "規則.md", RULES)
    builders.pptx_file(
        docs / "deck.pptx",
        [("Kickoff", "Welcome to the plan year.", ""), ("Dental", "Two cleanings a year.", "")],
    )
    builders.pdf(docs / "plan.pdf", [["Vision is covered once every two years."]])
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    settings = settings_for(index, example_questions=["有給休暇は何日？"])
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_the_cited_sentence_is_marked_whole_and_the_document_runs_nothing(
    client: TestClient,
) -> None:
    sentence = "年次有給休暇は「入社（試用期間を含む。）から６か月」継続勤務した者に10日付与する。"
    shown = client.get("/view/hr/規則.md", params={"highlight": sentence})
    assert shown.status_code == 200, shown.text
    assert shown.headers["content-type"] == "text/html; charset=utf-8"
    assert shown.headers["x-highlight"] == "found"
    policy = shown.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy
    assert "x-frame-options" not in shown.headers  # the UI frames it
    body = shown.text
    assert f'<mark id="cited">{sentence.rstrip("。")}' in body
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<h2>第22条 年次有給休暇</h2>" in body or "第22条 年次有給休暇" in body
    # A sentence the document does not hold marks nothing; nor does punctuation alone.
    for missing in ("宇宙旅行の手当は月額５万円である。", "）"):
        other = client.get("/view/hr/規則.md", params={"highlight": missing})
        assert other.headers["x-highlight"] == "none" and "<mark" not in other.text


def test_slides_open_at_their_place_and_pages_are_drawn_elsewhere(client: TestClient) -> None:
    deck = client.get("/view/deck.pptx", params={"highlight": "Two cleanings a year."})
    assert deck.headers["x-highlight"] == "found"
    assert '<section id="slide-2">' in deck.text and '<section id="slide-1">' in deck.text
    assert deck.text.index('id="slide-2"') < deck.text.index('<mark id="cited">')
    assert client.get("/view/plan.pdf").status_code == 404
    assert client.get("/view/nothing.md").status_code == 404


def test_the_first_screen_names_what_is_indexed_and_offers_the_examples(
    client: TestClient,
) -> None:
    config = client.get("/config").json()
    assert config["documents"]["count"] == 3
    assert set(config["documents"]["titles"]) >= {"就業規則"}
    assert config["examples"] == ["有給休暇は何日？"]
