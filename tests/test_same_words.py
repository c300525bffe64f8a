"""A question's word and the rule's word for the same act; a quantity that is a condition or a
part is not the amount asked for."""

from __future__ import annotations

import re

import pytest

from yomitoki.rag import extractive, same_words
from yomitoki.rag.quantities import given
from yomitoki.types import Hit, Location

#: The model employment rules' sentences a question on paid-leave days finds (pages 38-40).
PLANNED = (
    "第１項又は第２項の年次有給休暇が 10 日以上与えられた労働者に対しては、付与日から１年以内"
    "に、当該労働者の有する年次有給休暇日数のうち５日について、会社が時季を指定して取得させる。"
)
DESIGNATED = (
    "使用者は、年１０日以上の年次有給休暇が付与される労働者に対して、そのうち５日については、"
    "時季を定めることにより与えなければなりません。"
)
HOURLY = "③ 年次有給休暇１日分に相当する時間単位年休の時間数を労使協定で定めます。"
GRANTED = (
    "第２３条 採用日から６か月間継続勤務し、所定労働日の８割以上出勤した労働者に対しては、"
    "１０日の年次有給休暇を与える。"
)


def test_a_word_of_a_group_says_each_word_of_it() -> None:
    assert {"付与", "与える", "貰う"} <= same_words.widened({"付与"})
    # もらえる (貰う) is what a rule grants and what it pays.
    assert {"付与", "与える", "支給", "支払う"} <= same_words.widened({"貰う"})
    assert same_words.widened({"休憩", "時間"}) == {"休憩", "時間"}


@pytest.mark.parametrize(
    ("sentence", "quantity", "amount"),
    [
        (PLANNED, "10 日", False),  # whom the rule is for
        (PLANNED, "５日", False),  # five of the days counted before
        (DESIGNATED, "１０日", False),
        (GRANTED, "１０日", True),
        ("６時間を超える場合は４５分の休憩を与える。", "６時間", False),
        ("６時間を超える場合は４５分の休憩を与える。", "４５分", True),
        ("１０日以上の年次有給休暇を与える。", "１０日", True),  # a floor is an amount
    ],
)
def test_a_quantity_is_given_unless_a_condition_or_a_part(
    sentence: str, quantity: str, amount: bool
) -> None:
    found = re.search(re.escape(quantity), sentence)
    assert found is not None
    assert given(sentence, found.start(), found.end()) is amount


def test_the_rule_that_grants_the_days_leads_the_answer_on_them() -> None:
    """「年次有給休暇は何日付与されますか？」 over the rule on designated days (which writes 付与
    and the days of whom it is for), the one on planned leave, one on leave by the hour (one
    day's worth beside 年次有給休暇, found before) and the one that grants 10 days (which says
    与える, not 付与): the last leads."""
    hits = [
        Hit(i, "rules.pdf", Location(page=page), text, 1.0, {}, None, None)
        for i, (page, text) in enumerate(
            ((40, DESIGNATED), (41, HOURLY), (38, GRANTED), (39, PLANNED)), 1
        )
    ]
    question = "年次有給休暇は何日付与されますか？"
    reading = extractive.read(question, hits)
    composed = extractive.compose(question, hits, lambda terms: dict.fromkeys(terms, 1.0), reading)
    assert composed.sentences[0].citation == "rules.pdf#page=38"
