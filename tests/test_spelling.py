"""Misspelled question words read as the passages' words they were meant to be."""

from __future__ import annotations

import pytest

from yomitoki.rag.crosslingual import english_words
from yomitoki.text.analyzer import content_terms
from yomitoki.text.spelling import corrected, meant, same_word

PASSAGE = content_terms(
    "Northwind Standard covers all types of hearing care services, including hearing aids, "
    "and basic eye exams; laser surgery is excluded. Health costs are shared."
)


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        ("What typs of hearin care servises are covered?", {"type", "hear", "servic"}),
        ("Does Northwind Helth cover full costs?", {"health"}),
    ],
)
def test_a_misspelled_word_is_read_as_the_passage_word(question: str, read_as: set[str]) -> None:
    words = corrected(content_terms(question), PASSAGE)
    assert read_as <= set(words)
    assert not set(words) - set(PASSAGE) - {"full"}  # every other word the passage holds


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("lasik", PASSAGE),  # one edit from nothing ("laser" is two, and five letters get one)
        ("ad", ["aid"]),  # a two-letter word is another word, not a misspelling
        ("ealth", ["health"]),  # a misspelling keeps its first letter
        ("401", ["402"]),  # numbers are never misspelled
        ("株価", ["株式"]),  # nor Japanese words
    ],
)
def test_words_that_are_not_misspellings_stay(word: str, known: list[str]) -> None:
    assert meant(word, known) is None
    assert corrected([word], known) == [word]


def test_two_edits_only_for_long_words() -> None:
    assert meant("coverrage", ["coverage"]) == "coverage"
    assert meant("benifitz", ["benefits"]) == "benefits"  # eight letters, two edits
    assert meant("dentl", ["dental"]) == "dental"
    assert meant("dntl", ["dental"]) is None  # four letters, two edits away


def test_a_word_of_the_language_is_no_misspelling() -> None:
    # "expense" is two edits from the passage's "experience": a word the passages lack, which
    # read as theirs made a question on expense reports look answered.
    passage = content_terms("Employees report their experience of all types of services yearly.")
    question = content_terms("What is the deadline for expense reports? Which typs of servises?")
    real = english_words()
    assert {"expens", "deadlin"} <= real
    assert not {"typ", "servis"} & real  # misspellings are no words of the dictionaries
    read = corrected(question, passage, real)
    assert "expens" in read and "experi" not in read
    assert {"type", "servic"} <= set(read)  # the misspelled words are still read as meant
    assert "experi" in corrected(question, passage)  # without the dictionary it was misread


@pytest.mark.parametrize(
    ("word", "known", "read_as"),
    [
        ("taken", ["take", "talk"], "take"),  # another ending, which stemming left apart
        ("kilomet", ["kilometr"], "kilometr"),  # kilometers, kilometres
        ("interest", ["internet"], None),  # one edit away, but another word
        ("part", ["particip", "past"], None),  # "participate" is more than another ending
        ("fee", ["feed"], None),  # too short to tell
    ],
)
def test_a_real_word_is_read_only_as_itself_with_another_ending(
    word: str, known: list[str], read_as: str | None
) -> None:
    assert same_word(word, known) == read_as
    assert corrected([word], known, {word}) == [read_as or word]
