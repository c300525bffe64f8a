"""Citation parsing and checking, in whole text and in streamed text, as table tests."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from yomitoki.rag.citations import CitationStream, Sources, check
from yomitoki.text import citations
from yomitoki.text.citations import find, strip
from yomitoki.text.cited import Mark, Run, marked

GIVEN = Sources(
    ["benefits.pdf#page=3", "benefits.pdf#page=4", "handbook/規程.pdf#page=2", "deck.pptx#slide=3",
     "notes.md"]
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Covered [benefits.pdf#page=3].", ["benefits.pdf#page=3"]),
        ("A [a.pdf#page=1][b.md] and [a.pdf#page=1] again", ["a.pdf#page=1", "b.md"]),
        ("Two in one [a.pdf#page=1, deck.pptx#slide=2]", ["a.pdf#page=1", "deck.pptx#slide=2"]),
        ("Not citations: [sic], [1], [see above], [x]", []),
        ("休暇は20日です[規程.pdf#page=2]。", ["規程.pdf#page=2"]),
        ("Sheet [book.xlsx#sheet=Prices]", ["book.xlsx#sheet=Prices"]),
        ("", []),
    ],
)
def test_find(text: str, expected: list[str]) -> None:
    assert find(text) == expected


@pytest.mark.parametrize(
    ("text", "clean", "kept", "removed"),
    [
        ("Covered [benefits.pdf#page=3].", "Covered [benefits.pdf#page=3].",
         ("benefits.pdf#page=3",), ()),
        # A hallucinated page disappears with the space before it.
        ("Covered [benefits.pdf#page=9].", "Covered.", (), ("benefits.pdf#page=9",)),
        ("Mixed [benefits.pdf#page=3, other.pdf#page=1].", "Mixed [benefits.pdf#page=3].",
         ("benefits.pdf#page=3",), ("other.pdf#page=1",)),
        # Case and folders do not matter; the given spelling is what is shown.
        ("Rule [規程.PDF#page=2]", "Rule [handbook/規程.pdf#page=2]",
         ("handbook/規程.pdf#page=2",), ()),
        ("Twice [notes.md][notes.md]", "Twice [notes.md][notes.md]", ("notes.md",), ()),
        ("Leave [sic] alone", "Leave [sic] alone", (), ()),
        ("休暇は20日です[規程.pdf#page=5]。", "休暇は20日です。", (), ("規程.pdf#page=5",)),
    ],
)  # fmt: skip
def test_check(text: str, clean: str, kept: tuple[str, ...], removed: tuple[str, ...]) -> None:
    checked = check(text, GIVEN)
    assert (checked.text, checked.kept, checked.removed) == (clean, kept, removed)


STREAMED = [
    "Plans cover care [benefits.pdf#page=3]. Hearing aids are excluded [benefits.pdf#page=7].",
    "A [deck.pptx#slide=3][bogus.pdf#page=1] then [sic] and [notes.md]",
    "就業時間は9時からです[規程.pdf#page=2]。休暇は[規程.pdf#page=9]20日です。",
    "An unclosed [bracket that never ends",
    "Ends on a citation [notes.md]",
]


@pytest.mark.parametrize("text", STREAMED)
def test_stream_gives_the_same_text_however_it_is_split(text: str) -> None:
    expected = check(text, GIVEN).text
    for cut in range(len(text) + 1):
        stream = CitationStream(GIVEN)
        released = [stream.feed(text[:cut]), stream.feed(text[cut:]), stream.finish()]
        assert "".join(released) == expected, f"split at {cut}"


@pytest.mark.parametrize("text", STREAMED)
def test_stream_never_shows_part_of_a_citation(text: str) -> None:
    stream = CitationStream(GIVEN)
    shown = ""
    for char in text:  # one character per delta: the worst split
        shown += stream.feed(char)
        opened, closed = shown.count("["), shown.count("]")
        assert opened == closed or "[bracket" in shown, shown
    shown += stream.finish()
    assert not any(c in shown for c in ("bogus", "page=9", "page=7"))
    hallucinated = ("benefits.pdf#page=7", "bogus.pdf#page=1", "規程.pdf#page=9")
    assert stream.removed == [c for c in hallucinated if c in text]


def test_strip_removes_only_citations() -> None:
    assert strip("Covered [a.pdf#page=3] here [sic].") == "Covered here [sic]."


# -- the answer as a viewer shows it: text runs and citation marks ------------------------------


def test_each_mark_carries_the_whole_sentence_it_closes_brackets_and_all() -> None:
    text = (
        "年次有給休暇は「入社（試用期間を含む。）から６か月」継続勤務した者に10日付与する"
        "[規則.pdf#page=40]。退職は30日前に届け出る[規則.pdf#page=41, 規則.pdf#page=42]。"
    )
    parts = marked(text)
    assert parts == [
        Run("年次有給休暇は「入社（試用期間を含む。）から６か月」継続勤務した者に10日付与する。"),
        Mark(
            ("規則.pdf#page=40",),
            "年次有給休暇は「入社（試用期間を含む。）から６か月」継続勤務した者に10日付与する。",
        ),
        Run("退職は30日前に届け出る。"),
        Mark(("規則.pdf#page=41", "規則.pdf#page=42"), "退職は30日前に届け出る。"),
    ]


def test_a_quoted_list_is_one_mark_with_its_lead() -> None:
    text = "次のとおり休日とする。 ① 土曜日 ② 日曜日[規則.pdf#page=24]。次の文[規則.pdf#page=25]。"
    marks = [p for p in marked(text) if isinstance(p, Mark)]
    assert [m.sentence for m in marks] == ["次のとおり休日とする。 ① 土曜日 ② 日曜日。", "次の文。"]


def test_closing_punctuation_goes_before_the_marks_so_no_badge_opens_a_line() -> None:
    parts = marked("「はい」と答える[a.md][b.md]」。次。")
    assert parts[0] == Run("「はい」と答える」。")
    assert [p.citations for p in parts if isinstance(p, Mark)] == [("a.md",), ("b.md",)]
    assert parts[-1] == Run("次。")


def test_a_bracket_after_the_period_cites_the_sentence_before_and_sic_stays_text() -> None:
    parts = marked("Two cleanings a year. [a.pdf#page=2] See [sic] the plan [b.md].")
    assert parts == [
        Run("Two cleanings a year. "),
        Mark(("a.pdf#page=2",), "Two cleanings a year."),
        Run(" See [sic] the plan."),
        Mark(("b.md",), "See [sic] the plan."),
    ]


@given(st.text(alphabet="ab。. []#=.pdfmd「」", max_size=60))
@example("[[=.a]。=]")  # a sentence's piece ends inside a bracket that cites nothing
def test_marking_loses_no_text_but_the_brackets(text: str) -> None:
    shown = "".join(p.text for p in marked(text) if isinstance(p, Run))
    assert sorted(shown.replace(" ", "")) == sorted(citations.strip(text).replace(" ", ""))
