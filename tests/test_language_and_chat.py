"""Question language, history budget and the offline follow-up rewrite."""

from __future__ import annotations

import pytest

from yomitoki.rag.chat import (
    Searched,
    estimate_tokens,
    needs_context,
    standalone_query,
    within_budget,
)
from yomitoki.text.language import detect
from yomitoki.types import Message


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("What is the deductible?", "en"),
        ("免責額はいくらですか？", "ja"),
        ("Northwind Health Plus の免責額は？", "ja"),
        ("就業規則第三条", "ja"),  # kanji only
        ("What does 就業 mean in the handbook for employees?", "en"),
        ("", "en"),
        ("🙂🙂", "en"),
    ],
)
def test_detect(text: str, language: str) -> None:
    assert detect(text) == language


def test_estimate_tokens_counts_japanese_characters_more() -> None:
    assert estimate_tokens("a" * 40) == 11
    assert estimate_tokens("あ" * 40) == 41


HISTORY = [
    Message("user", "first question " * 10),
    Message("assistant", "first answer " * 10),
    Message("user", "second question"),
    Message("assistant", "second answer"),
]


@pytest.mark.parametrize(
    ("budget", "kept"),
    [(10_000, 4), (40, 2), (5, 0), (0, 0)],
)
def test_within_budget_keeps_the_latest_turns_from_a_question(budget: int, kept: int) -> None:
    result = within_budget(HISTORY, budget)
    assert result == HISTORY[len(HISTORY) - kept :]
    assert not result or result[0].role == "user"


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("What about dental?", True),
        ("Does it cover hearing aids?", True),
        ("それの上限は？", True),
        ("How much?", True),
        ("What is the deductible of Northwind Health Plus?", False),
        ("年次有給休暇の日数を教えてください", False),
    ],
)
def test_needs_context(question: str, follow_up: bool) -> None:
    assert needs_context(question) is follow_up


def test_a_follow_up_weighs_its_own_words_and_adds_only_the_earlier_topic() -> None:
    history = [Message("user", "What does Northwind Standard cover?"), Message("assistant", "…")]
    # Its own topic: answered as asked, searched beside itself with the plan asked about.
    assert standalone_query("What about dental?", history) == Searched(
        "What about dental?", "What about dental? Northwind Standard cover"
    )
    # A question that stands alone is left alone; so is any question without a conversation.
    assert standalone_query("What is the copay for specialists?", history) == Searched(
        "What is the copay for specialists?"
    )
    assert standalone_query("What about dental?", []) == Searched("What about dental?")
    # Only another length of time: the earlier question, asked of it.
    rules = [Message("user", "時間外労働の上限は１か月何時間以内ですか？")]
    assert standalone_query("１年では？", rules) == Searched(
        "時間外労働の上限は１年何時間以内ですか？"
    )
    overtime = [Message("user", "What is the monthly upper limit on overtime hours?")]
    assert standalone_query("And per year?", overtime) == Searched(
        "What is the yearly upper limit on overtime hours?"
    )
    daily = [Message("user", "How many hours a day can I work?")]
    assert standalone_query("And per week?", daily) == Searched("How many hours a week can I work?")
    # Only a quantity or a pronoun, and no length of time to swap: asked with the earlier
    # question's topic.
    leave = [Message("user", "年次有給休暇は何日付与される？")]
    assert standalone_query("１年では？", leave) == Searched("１年では？ 年次有給休暇")
    assert standalone_query("それは何か月勤務するともらえる？", leave).query.endswith(
        "年次有給休暇"
    )
    days = [Message("user", "How many days of paid leave?")]
    assert standalone_query("And per year?", days) == Searched("And per year? days of paid leave")
    # A short change of topic after an HR question is a question of its own.
    assert standalone_query("休憩時間は？", leave) == Searched("休憩時間は？")
    assert standalone_query("じゃあ解雇の予告は？", leave) == Searched(
        "じゃあ解雇の予告は？", "じゃあ解雇の予告は？ 年次有給休暇"
    )
