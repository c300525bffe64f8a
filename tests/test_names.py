"""A name the question writes and no passage does: the passages are about something else."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import answerer, open_store, searcher
from yomitoki.rag import extractive, names
from yomitoki.rag.answer import says_dont_know
from yomitoki.rag.prompts import Prompts
from yomitoki.types import Hit, Location, Mode


def _hit(text: str, document: str = "plans.pdf", title: str | None = None) -> Hit:
    return Hit(1, document, Location(page=3), text, 1.0, {}, None, title)


def _hits(*texts: str) -> list[Hit]:
    return [_hit(text) for text in texts]


PLANS = _hits(
    "The Northwind Standard plan has an annual deductible of $2,000.",
    "Northwind Health Plus has a deductible of $1,500 for in-network services.",
)


def test_an_english_name_is_a_capitalized_word_that_opens_no_sentence() -> None:
    assert names.named("What is the annual deductible for the Northwind Gold plan?") == [
        "Northwind",
        "Gold",
    ]
    # The first word, a word after a question mark or a colon, and "I" name nothing.
    assert names.named("Can I see a dermatologist? Which one is covered?") == []
    assert names.named("Note: What does Northwind's plan cover?") == ["Northwind"]
    assert names.named("Is LASIK covered, and is Wi-Fi free?") == ["LASIK", "Wi-Fi"]


def test_a_japanese_name_is_a_proper_noun_or_a_capitalized_latin_word() -> None:
    assert names.named("東京オフィスの産休制度は？") == ["東京"]
    assert names.named("Northwind Standardの免責額はいくらですか？") == ["Northwind", "Standard"]
    # 何川 (which river) asks; it names nothing.
    assert names.named("世界遺産に登録されたのは何川流域か？") == []


def test_a_name_the_passages_do_not_write_is_unwritten() -> None:
    question = "What is the annual deductible for the Northwind Gold plan?"
    assert names.unwritten(question, PLANS, set(), {}) == ("Gold",)
    # Written in another case, or as a longer word only, is not written.
    assert names.unwritten(question, _hits("A golden rule of the GOLD plan."), set(), {}) == (
        "Northwind",
    )
    assert names.unwritten(question, _hits("Northwind's golden rule."), set(), {}) == ("Gold",)


def test_a_name_written_otherwise_is_written() -> None:
    # A plural, accents, a misspelling of a word the passages write, an abbreviation whose
    # phrase they write.
    assert (
        names.unwritten("Does the plan cover an MRI?", _hits("Two MRIs a year."), set(), {}) == ()
    )
    assert names.unwritten("Is the Café open?", _hits("The cafe opens at 8."), set(), {}) == ()
    assert (
        names.unwritten("Does Northwind Helth cover it?", PLANS, {"northwind", "health"}, {}) == ()
    )
    assert names.unwritten("Is IVF covered?", PLANS, set(), {"ivf": ("vitro", "fertil")}) == ()


def test_the_reading_names_what_the_passages_and_their_documents_do_not() -> None:
    gold = extractive.read("What is the annual deductible for the Northwind Gold plan?", PLANS)
    assert gold.unnamed == ("Gold",)
    standard = extractive.read("What is the deductible of the Northwind Standard plan?", PLANS)
    assert standard.unnamed == ()
    # A document's title and file name write their names too.
    titled = [_hit(PLANS[0].text, "Zava_Benefits.pdf", "Zava Northwind Standard Plan")]
    assert extractive.read("Does Zava offer the Northwind Standard plan?", titled).unnamed == ()
    # In Japanese, a place the passages never name.
    rules = _hits("産前産後休業は、産前6週間、産後8週間とする。")
    assert extractive.read("東京オフィスの産前休業は何週間ですか？", rules).unnamed == ("東京",)


def test_across_languages_only_names_the_passages_would_write_alike_count() -> None:
    # English pages write a Japanese question's Latin names as it does, not its 東京.
    asked = "東京オフィスのゲスト用Wi-Fiのパスワードは？"
    assert names.unwritten(asked, PLANS, set(), {}) == ("Wi-Fi",)
    assert names.unwritten(asked, _hits("Guests may use the Wi-Fi in Tokyo."), set(), {}) == ()
    # Japanese pages write an English question's Tokyo as 東京: nothing is judged.
    rules = _hits("東京本社の従業員は、社員証を携帯しなければならない。")
    assert names.unwritten("Must staff in Tokyo carry a Zava badge?", rules, set(), {}) == ()


def test_hostile_questions_name_only_what_they_write() -> None:
    # Pattern characters are text, thousands of capitals are bounded by the question.
    assert names.unwritten("Is (A+)* [Gold] covered?", PLANS, set(), {}) == ("Gold",)
    many = " ".join(["Gold"] * 2000)
    assert names.unwritten(f"Is {many} covered?", PLANS, set(), {}) == ("Gold",)
    distinct = " ".join(f"Gold{i}" for i in range(500))
    assert len(names.unwritten(f"Is {distinct} covered?", PLANS, set(), {})) == names.MAX_NAMES


def test_the_refusal_names_what_no_passage_mentions() -> None:
    prompts = Prompts()
    english = prompts.dont_know("en", ("Gold", "Seattle", "LASIK"))
    assert english == (
        "I don't know: the indexed documents don't say. "
        "None of the passages found mentions “Gold”, “Seattle” or “LASIK”."
    )
    assert prompts.dont_know("en", ("Gold",)).endswith(" mentions “Gold”.")
    japanese = prompts.dont_know("ja", ("東京", "トヨタ"))
    assert japanese.endswith("見つかった文書はどれも「東京」や「トヨタ」に触れていません。")
    assert says_dont_know(english) and says_dont_know(japanese)
    assert prompts.dont_know("en") == prompts.text("dont_know", "en")


def test_the_offline_answerer_weighs_and_says_a_name_no_passage_writes(tmp_path: Path) -> None:
    plans = "# Plans\n\n" + " ".join(h.text for h in PLANS) + "\n"
    index = builders.indexed(tmp_path, {"plans.md": plans})
    store = open_store(index)
    try:
        asker = answerer(searcher(store, CountingEmbedder()), mode=Mode.KEYWORD)
        gold = "What is the annual deductible for the Northwind Gold plan?"
        standard = "What is the annual deductible for the Northwind Standard plan?"
        options = asker.options
        assert asker.judge(asker.retrieve(gold, (), options), options).signals.unnamed == 1.0
        assert asker.judge(asker.retrieve(standard, (), options), options).signals.unnamed == 0.0
        # Refused (every answer is, from a floor of 1), it says which name no page writes.
        _, refused = asker.ask(gold, (), dataclasses.replace(options, min_answerability=1.0))
        assert refused.dont_know and refused.text.endswith("mentions “Gold”.")
        _, plain = asker.ask(standard, (), dataclasses.replace(options, min_answerability=1.0))
        assert plain.text == asker.prompts.text("dont_know", "en")
    finally:
        store.close()
