"""A dictionary phrase a question writes is one thing asked: its words written apart are not it."""

from __future__ import annotations

from yomitoki.rag import extractive, names, phrases
from yomitoki.types import Hit, Location


def test_a_questions_dictionary_phrases_are_read_as_its_terms() -> None:
    assert phrases.asked("How much life insurance does Zava provide?") == [("life", "insur")]
    # Business cards is "business card" (名刺); the words that ask make no phrase.
    assert ("busi", "card") in phrases.asked("How do I order new business cards?")
    assert phrases.asked("How many people work here?") == []
    assert phrases.asked("What is the deductible for in-network services?") == []


def test_a_phrase_written_apart_is_a_term_the_passages_lack() -> None:
    question = "How much life insurance does Zava provide?"
    apart = Hit(
        1, "plus.pdf", Location(page=59),
        "Life can be unpredictable. Show your insurance card at every visit to Zava's clinic.",
        1.0, {}, None, None,
    )  # fmt: skip
    assert phrases.apart(question, [apart.text]) == [("life", "insur")]
    reading = extractive.read(question, [apart])
    assert "life_insur" in reading.terms and "life_insur" not in reading.known
    assert "life" not in reading.terms and "insur" not in reading.terms
    together = "Zava provides life insurance of twice each employee's salary."
    assert phrases.apart(question, [together]) == []
    written = extractive.read(question, [Hit(2, "handbook.pdf", Location(page=3), together,
                                             1.0, {}, None, None)])  # fmt: skip
    assert {"life", "insur"} <= set(written.terms)


def test_words_on_either_side_of_a_comma_are_not_the_phrase() -> None:
    question = "What is the reimbursement limit for home office equipment?"
    listed = "Get care from the comfort of your own home, office, or other location."
    assert phrases.apart(question, [listed]) == [("home", "offic")]
    assert phrases.apart(question, ["Equipment for a home office is reimbursed."]) == []


def test_an_abbreviation_the_passages_lack_is_the_phrase_it_stands_for() -> None:
    """ "IVF" is "in vitro fertilization" (体外受精 in the dictionaries) where a passage writes
    that, and stays a word none holds where none does; one the passages write is left alone."""
    question = "Does Northwind Standard cover IVF treatment?"
    rule = (
        "Northwind Standard does not cover the costs of any fertility treatments or in vitro "
        "fertilization procedures."
    )
    assert phrases.spelled_out(question, [rule]) == {"ivf": ("vitro", "fertil")}
    reading = extractive.read(question, [Hit(1, "standard.pdf", Location(page=36), rule,
                                             1.0, {}, None, None)])  # fmt: skip
    assert {"vitro", "fertil"} <= set(reading.terms) and "ivf" not in reading.terms
    # The phrase written apart, or not at all: the abbreviation stays asked and not found.
    apart = "Fertility care is covered in part. Lab tests in vitro are billed apart."
    assert phrases.spelled_out(question, [apart]) == {}
    assert phrases.spelled_out("Is LASIK covered?", ["Vision care is covered."]) == {}
    # Written by the passages as it is: nothing to spell out.
    assert phrases.spelled_out("Are MRIs covered?", ["MRI scans are covered."]) == {}
    assert phrases.spelled_out("What is the ER copay?", ["The emergency room copay is $100."]) == {
        "er": ("emergenc", "room")
    }


def test_an_abbreviation_inside_japanese_text_is_read_as_one() -> None:
    """A kana or kanji beside it sets it apart as a space does, full-width letters too: the
    pages' phrase is found, and the name no page writes is not flagged."""
    rule = "Northwind Standard does not cover in vitro fertilization procedures."
    for question in ("Northwind StandardはIVF（体外受精）の費用を補償しますか？", "ＩＶＦは対象？"):
        assert phrases.spelled_out(question, [rule]) == {"ivf": ("vitro", "fertil")}
        hits = [Hit(1, "standard.pdf", Location(page=36), rule, 1.0, {}, None, None)]
        assert "IVF" not in names.unwritten(
            question, hits, set(), phrases.spelled_out(question, [rule])
        )
    # Inside a longer Latin word it is no abbreviation.
    assert phrases.spelled_out("IVFxは補償されますか？", [rule]) == {}


def test_an_abbreviation_among_pattern_characters_is_only_text() -> None:
    rule = "In vitro fertilization is not covered."
    assert phrases.spelled_out("Is [IVF]* (or IVF+) covered?", [rule]) == {
        "ivf": ("vitro", "fertil")
    }
    assert phrases.spelled_out("(.*)" * 500, [rule]) == {}


def test_a_japanese_compound_written_whole_is_the_one_asked() -> None:
    """「育児休業はとれますか」: Sudachi reads 育児休業 as 育児 and 休業, and とれる as 取得, so a
    sentence on nursing time that writes 育児 and 取得 held as much of the question by weight as
    第２８条 beside it, which writes 育児休業; written whole, the compound is what was asked."""
    question = "育児休業はとれますか"
    rule = "第２８条 必要のある者は、育児・介護休業法に基づく育児休業の適用を受けることができる。"
    nursing = (
        "育児時間を請求し、又は取得したことを理由として解雇その他不利益な取扱いをしてはいけません。"
    )
    assert phrases.whole(question, rule) == phrases.WHOLE_BONUS
    assert phrases.whole(question, nursing) == 0.0
    assert phrases.whole("有給休暇は何日？", "年次有給休暇を与える。") == phrases.WHOLE_BONUS
    assert phrases.whole("What is parental leave?", rule) == 0.0  # no Japanese compound
    hits = [Hit(1, "rules.pdf", Location(page=44), f"{nursing}\n{rule}", 1.0, {}, None, None)]
    weights = {"育児": 1.95, "取得": 1.62, "休業": 1.56}  # the model rules' IDF
    composed = extractive.compose(
        question,
        hits,
        lambda terms: {t: weights.get(t, 1.0) for t in terms},
        extractive.read(question, hits),
    )
    assert composed.sentences[0].text.startswith("第２８条")
