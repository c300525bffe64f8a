"""A question that asks two things is searched as each, and its answer quotes each one's best
sentence first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import WORDS, answer_options, answerer, open_store, searcher
from yomitoki.rag.parts import parts
from yomitoki.types import Mode


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "How does the plan explain in-network costs, and what are the exceptions to "
            "prior authorization?",
            (
                "How does the plan explain in-network costs",
                "what are the exceptions to prior authorization?",
            ),
        ),
        # A question word inside the first part, not at its start.
        (
            "Considering the Plus plan, how does an in-network provider affect costs, and what "
            "does hospice care cover?",
            (
                "Considering the Plus plan, how does an in-network provider affect costs",
                "what does hospice care cover?",
            ),
        ),
        (
            "What is the copay? Is dental care covered?",
            ("What is the copay?", "Is dental care covered?"),
        ),
        (
            "休憩時間は何分ですか。また、年次有給休暇は何日もらえますか？",
            ("休憩時間は何分ですか。", "年次有給休暇は何日もらえますか？"),
        ),
        (
            "解雇の予告は何日前までに必要で、賞与は必ず支給されますか？",
            ("解雇の予告は何日前までに必要で、", "賞与は必ず支給されますか？"),
        ),
        # Two clauses that each ask, joined by a comma after a verb.
        (
            "顎関節症の症状にどう対応し、治療で補償されるサービスは何ですか？",
            ("顎関節症の症状にどう対応し、", "治療で補償されるサービスは何ですか？"),
        ),
    ],
)
def test_a_question_asking_two_things_is_read_as_its_parts(
    question: str, asked: tuple[str, ...]
) -> None:
    assert parts(question) == asked


@pytest.mark.parametrize(
    "question",
    [
        "What is the deductible and the copay for specialists?",  # one question, two nouns
        "What and how?",  # no word of their own
        "What is covered? Thanks!",  # no question after the first
        # An instruction after the question is not a second question.
        "国際労働機関とは何か？文中から3字で抜き出せ。",
        # A clause ending in a particle asks nothing of its own: 「など」 is not 「どの」.
        "ラオスの山林にはチークなどの木材が豊富だが、どの国が伐採したのですか。",
        "子供はどちらの姓でも構わないが、同じ親の子は何の姓にしなければならないか？",
        "年次有給休暇は何日ですか？",
        "何日働けば、有給休暇がもらえますか？",  # a condition
        "何日以上欠勤した場合、診断書が必要ですか？",
    ],
)
def test_a_question_asking_one_thing_has_no_parts(question: str) -> None:
    assert parts(question) == ()


#: Three pages on paid leave that the whole question's words favour; the break is on a long
#: page of other rules.
RULES = {
    "leave.md": "# 年次有給休暇\n\n入社６か月後に１０日の年次有給休暇を与える。\n",
    "leave_carry.md": "# 年次有給休暇の繰越し\n\n年次有給休暇は翌年度に限り繰り越す。\n",
    "leave_request.md": "# 年次有給休暇の請求\n\n年次有給休暇は前日までに請求する。\n",
    "hours.md": "# 労働時間\n\n"
    + "始業は午前９時、終業は午後６時とする。業務の都合により変更することがある。" * 4
    + "休憩時間は４５分とする。\n",
}


def test_each_part_is_searched_and_answered(tmp_path: Path) -> None:
    """Searched whole, the paid-leave pages fill the two places and the break goes
    unanswered; searched as its parts, each part's best page comes, and the answer states the
    break's 45 minutes first, then the 10 days, each cited."""
    store = open_store(builders.indexed(tmp_path, RULES))
    asker = answerer(searcher(store, CountingEmbedder()), answerability=WORDS)
    options = answer_options(mode=Mode.KEYWORD, answer_sources=2, answerability=WORDS)
    question = "休憩時間は何分ですか。また、年次有給休暇は何日もらえますか？"
    try:
        whole = asker.retriever.search(question, Mode.KEYWORD, 2)
        assert "hours.md" not in {h.document for h in whole}
        asked = asker.retrieve(question, (), options)
        assert [h.document for h in asked.hits] == ["hours.md", "leave.md"]
        assert [p for p, _ in asked.searches.parts] == list(parts(question))
        _, answer = asker.ask(question, (), options)
        assert not answer.dont_know
        assert answer.text.index("４５分") < answer.text.index("１０日")
        assert set(answer.citations) == {"hours.md", "leave.md"}
    finally:
        store.close()


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("?" * 4000, ()),  # question marks alone: no words of their own
        ("何し、" * 1333, ()),  # thousands of asking clauses: past MAX_PARTS, one question
        ("What is it? " * 333, ()),
        # Pattern characters are only text.
        (
            "What (is) [IVF]*? And how+ does .* work?",
            ("What (is) [IVF]*?", "And how+ does .* work?"),
        ),
    ],
)
def test_a_hostile_question_is_read_as_one_or_its_few_parts(
    question: str, asked: tuple[str, ...]
) -> None:
    assert parts(question) == asked
