"""Highlights on the Japanese HR case (../shared's 93-page model employment rules): for every
citation mark of an answer, /page finds the sentence the mark closes on the cited page, and
the box it draws holds that whole sentence as the PDF's own text says it (or, where the page's
reading order breaks the sentence up, as in a table, the page sentence sharing most of its
words)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient

from tests.conftest import SHARED, CountingEmbedder
from tests.options import ingest_options, open_store
from tests.servers import ask, settings_for
from yomitoki.ingest.pipeline import Ingester
from yomitoki.rag.quoting import LABELS
from yomitoki.server.app import create_app
from yomitoki.server.highlight import MIN_SHARED
from yomitoki.text.analyzer import content_terms

pytestmark = pytest.mark.slow


def flat(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


RULES = SHARED / "japanese-docs" / "001018385.pdf"
TITLE = flat("モデル就業規則（R4.11版）：")
BLANK = flat(LABELS["ja"]["blank"])
QUESTIONS = [
    "年次有給休暇は入社後何日もらえますか？",
    "試用期間は何か月ですか？",
    "退職するときは何日前までに申し出ればよいですか？",
    "育児休業はいつまで取れますか？",
    "賃金の支払日はいつですか？",
    "休憩時間は何分ですか？",
    "結婚したら休暇はもらえますか",
    "時間外労働の割増賃金率は何％ですか？",
    "定年は何歳ですか？",
    "懲戒の種類には何がありますか",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    if not RULES.exists():
        pytest.skip(f"{RULES} is not here (the shared datasets live beside the repository)")
    index = tmp_path_factory.mktemp("rules") / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(RULES)
    with TestClient(create_app(settings_for(index))) as c:
        yield c


def boxed_text(path: Path, number: int, box: list[float]) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[number - 1]
        width, height = page.get_size()
        left, top, right, bottom = box
        # PDF coordinates grow upwards from the bottom left; a point of slack on each side.
        edges = (left * width - 1, (1 - bottom) * height - 1)
        edges += (right * width + 1, (1 - top) * height + 1)
        return str(page.get_textpage().get_text_bounded(*edges))
    finally:
        pdf.close()


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_mark_highlights_its_whole_sentence_on_the_cited_page(
    client: TestClient, question: str
) -> None:
    reply = ask(client, question, retrieval_mode="text").json()
    marks = [p for p in reply["context"]["answer_parts"] if "citations" in p]
    assert marks, reply["output_text"]
    for mark in marks:
        for citation in mark["citations"]:
            number = int(citation.rsplit("=", 1)[1])
            drawn = client.get(
                "/page/001018385.pdf", params={"page": number, "highlight": mark["sentence"]}
            )
            assert drawn.headers["x-highlight"] == "found", (citation, mark["sentence"])
            box = [float(x) for x in drawn.headers["x-highlight-box"].split(",")]
            shown = flat(boxed_text(RULES, number, box))
            # The offline answer may lead with the document's title: "モデル就業規則（…）：…",
            # and say a rule leaves blanks: "（○・空欄は各社が定める値）…".
            wanted = flat(mark["sentence"]).removeprefix(TITLE).removeprefix(BLANK).rstrip("。")
            if wanted in flat(boxed_text(RULES, number, [0, 0, 1, 1])):
                assert wanted in shown, (citation, wanted, shown)
            else:
                # Not in the page's reading order (a table read across its cells): the box
                # holds the page sentence that shares most of its words, at least half.
                terms = set(content_terms(wanted))
                assert len(terms & set(content_terms(shown))) >= MIN_SHARED * len(terms)
