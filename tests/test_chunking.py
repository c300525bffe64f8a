import itertools

import pytest

from yomitoki.ingest.chunking import chunk_document, chunk_spans
from yomitoki.text.sentences import split_sentences, statements
from yomitoki.types import Location, ParsedDocument, Section


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "就業規則を定める。労働者は守る！本当か？",
            ["就業規則を定める。", "労働者は守る！", "本当か？"],
        ),
        ("「はい。」と答えた。次の文。", ["「はい。」と答えた。", "次の文。"]),
        ("保証は二年（部品のみ）。修理は無料。", ["保証は二年（部品のみ）。", "修理は無料。"]),
        # A proviso (ただし書) belongs to the rule it qualifies; a sentence after it does not.
        (
            "賞与は支給日に支給する。ただし、業績により支給しないことがある。期間は次のとおり。",
            [
                "賞与は支給日に支給する。ただし、業績により支給しないことがある。",
                "期間は次のとおり。",
            ],
        ),
        ("土曜を休日とする。但し、祝日は除く。", ["土曜を休日とする。但し、祝日は除く。"]),
        # A 。 inside brackets does not end the sentence around them.
        (
            "時季を指定する（労基法第３９条第７項。以下同じ。）。次の文。",
            ["時季を指定する（労基法第３９条第７項。以下同じ。）。", "次の文。"],
        ),
        ("「年休」（有給。）とする。終わり。", ["「年休」（有給。）とする。", "終わり。"]),
        # A Japanese parenthesis closed by an ASCII one still closes: the sentence ends there.
        (
            "時間を与えなければなりません（労基法第６７条)。取得を理由に解雇しない。",
            ["時間を与えなければなりません（労基法第６７条)。", "取得を理由に解雇しない。"],
        ),
        # ... unless an ASCII parenthesis of its own was open.
        ("注意する（例 (a) を参照。）。次。", ["注意する（例 (a) を参照。）。", "次。"]),
        ("One sentence. Two sentence! Three?", ["One sentence. ", "Two sentence! ", "Three?"]),
        (
            "Dr. Smith works at U.S. Steel. He is here.",
            ["Dr. Smith works at U.S. Steel. ", "He is here."],
        ),
        ("Use e.g. dental plans. Fine.", ["Use e.g. dental plans. ", "Fine."]),
        ("Version 2.5 is out. Good.", ["Version 2.5 is out. ", "Good."]),
        ("Heading\n\nBody text here", ["Heading\n\n", "Body text here"]),
        ("前文\n① 日曜日\n② 祝日", ["前文\n", "① 日曜日\n", "② 祝日"]),
        ("no terminal punctuation", ["no terminal punctuation"]),
        ("", []),
        ("   ", ["   "]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_list_is_one_statement_with_its_lead_while_it_fits() -> None:
    text = "前文。休日は、次のとおりとする。\n① 土曜日\n② 日曜日\n第２１条 次の条。"
    lead = text.index("休日")
    assert [text[s:e] for s, e in statements(text, 600)] == [
        "前文。", "休日は、次のとおりとする。\n① 土曜日\n② 日曜日\n", "第２１条 次の条。",
    ]  # fmt: skip
    # Only the items that fit; and a list is followed onto the next page, not the one after.
    assert [text[s:e] for s, e in statements(text, len("休日は、次のとおりとする。\n① 土曜日\n"))][
        1
    ] == ("休日は、次のとおりとする。\n① 土曜日\n")
    assert statements(text, 600, [text.index("②")])[1] == (lead, text.index("第２１条"))
    two = [text.index("①") + 2, text.index("②") + 2]
    assert statements(text, 600, two)[1] == (lead, text.index("②"))
    # A title on a line of its own, or a numbered paragraph, is no part of the item before it.
    headed = "次のとおり与える。\n① 結婚したとき 日\n（病気休暇）\n（３）一日とする。"
    assert [headed[s:e] for s, e in statements(headed, 600)] == [
        "次のとおり与える。\n① 結婚したとき 日\n", "（病気休暇）\n", "（３）一日とする。",
    ]  # fmt: skip
    # A sentence that leads no list is followed by its items as they are.
    plain = "前文。\n① 土曜日\n② 日曜日"
    assert statements(plain, 600) == split_sentences(plain)


@pytest.mark.parametrize(
    "text",
    ["", "A. B. C.", "短い。" * 50, "word " * 500, "x" * 1000, "One. Two.\n\nThree! 四。五？"],
)
def test_sentence_spans_cover_the_text_exactly(text: str) -> None:
    spans = split_sentences(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(s < e or text == "" for s, e in spans)


JA = "".join(f"これは{i}番目の文です。" for i in range(60))
EN = " ".join(f"This is sentence number {i}." for i in range(60))


@pytest.mark.parametrize(
    ("text", "size", "overlap"),
    [(JA, 100, 0), (JA, 100, 30), (EN, 200, 50), (EN, 120, 0), ("x" * 950, 100, 20)],
)
def test_chunk_spans_respect_size_and_cover_everything(text: str, size: int, overlap: int) -> None:
    spans = chunk_spans(text, size, overlap)
    assert all(e - s <= size for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    # Consecutive chunks touch or overlap, never leave a gap, and always move forward.
    for (s1, e1), (s2, e2) in itertools.pairwise(spans):
        assert s1 < s2 <= e1 < e2
        assert e1 - s2 <= overlap


def test_chunks_end_on_sentence_boundaries() -> None:
    spans = chunk_spans(JA, 100, 30)
    assert all(JA[s:e].endswith("。") for s, e in spans)
    assert all(JA[s:e].startswith("これは") for s, e in spans)


def test_overlap_repeats_trailing_sentences() -> None:
    spans = chunk_spans(EN, 200, 60)
    shared = EN[spans[1][0] : spans[0][1]]
    # Two whole sentences (27 characters each) fit in 60 characters of overlap.
    assert shared.startswith("This is sentence") and shared.endswith(". ")
    assert shared.count("This is sentence") == 2


def test_long_sentence_is_cut_at_soft_breaks() -> None:
    text = "、".join(["長い項目"] * 100) + "。"
    spans = chunk_spans(text, 50, 0)
    assert all(e - s <= 50 for s, e in spans)
    assert all(text[s:e].endswith(("、", "。")) for s, e in spans)


def test_chunk_document_keeps_location_and_offsets() -> None:
    doc = ParsedDocument(
        (
            Section("第一条 目的。" + "本規程は旅費を定める。" * 20, Location(page=1)),
            Section("  Short page two.  ", Location(page=2, heading=("Intro",))),
            Section("   ", Location(page=3)),
        )
    )
    chunks = chunk_document(doc, size=80, overlap=20)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert {c.location.page for c in chunks} == {1, 2}
    for chunk in chunks:
        section = doc.sections[chunk.section]
        assert section.text[chunk.start : chunk.end] == chunk.text
        assert chunk.location == section.location
    last = chunks[-1]
    assert last.text == "Short page two." and last.location.heading == ("Intro",)
    assert last.start == 2


def test_chunk_document_normalizes_indexed_text_only() -> None:
    doc = ParsedDocument((Section("就 業 規 則 は 第 ２ 条 に 定 め る 。", Location(page=4)),))
    (chunk,) = chunk_document(doc, size=200, overlap=0)
    assert chunk.text == "就 業 規 則 は 第 ２ 条 に 定 め る 。"
    assert chunk.norm_text == "就業規則は第2条に定める。"
