"""A question's words that name or point at a document are said by each of its sentences."""

from __future__ import annotations

import pytest

from yomitoki.rag import extractive
from yomitoki.rag.asked import answer_terms, referring_terms
from yomitoki.rag.subjects import subject_terms, unfiled
from yomitoki.text.analyzer import content_terms
from yomitoki.types import Hit, Location

TEXT = (
    "Out-of-network providers may bill you for the difference between their charge and the "
    "allowed amount. Members pay a higher coinsurance for out-of-network providers."
)
HIT = Hit(1, "docs/Plus_Benefits_Details.pdf", Location(page=9), TEXT, 1.0, {}, None, "Plus Plan")


def flat(terms: list[str]) -> dict[str, float]:
    return dict.fromkeys(terms, 1.0)  # every word as rare as every other


def coverage(question: str) -> float:
    composed = extractive.compose(question, [HIT], flat, extractive.read(question, [HIT]))
    return composed.evidence


@pytest.mark.parametrize(
    "question",
    [
        "What do members pay for out-of-network providers according to the "
        "Plus_Benefits_Details.pdf?",
        "What do members pay for out-of-network providers according to the Plus Benefits "
        "Details.pdf?",
        "How does the Plus Benefits Details document explain what members pay for "
        "out-of-network providers?",
        "Considering the information provided in the Plus Benefits Details, what do members "
        "pay for out-of-network providers?",
        "What do members pay for out-of-network providers, as outlined in the Plus plan?",
    ],
)
def test_naming_the_document_costs_a_question_no_coverage(question: str) -> None:
    # The demo's generated questions name the file and say how they point at it; the
    # sentence that answers covered a fifth of such a question before (details.pdf, according,
    # explain, document, considering, information counted as words it lacks).
    plain = coverage("What do members pay for out-of-network providers?")
    assert plain == pytest.approx(1.0)
    assert coverage(question) == pytest.approx(plain)


def test_words_that_ask_about_a_document_are_still_asked() -> None:
    # The same words are what is asked when they do not point at the document.
    for question, kept in [
        ("What address should I send claims to?", "address"),
        ("What documents do I need to file a claim?", "document"),
        ("Is information provided by the member kept private?", "inform"),
        ("Which services are described as preventive care?", "describ"),
    ]:
        assert not referring_terms(question)
        assert kept in answer_terms(question, content_terms(question))


def test_japanese_references_to_the_rules_are_not_asked() -> None:
    question = "就業規則によると、年次有給休暇は何日ですか"
    terms = answer_terms(question, content_terms(question))
    assert "よる" not in terms
    assert {"年次", "有給", "休暇"} <= set(terms)
    assert "記載" not in answer_terms("規則に記載されている休憩時間は？", ["記載", "休憩"])


def test_a_files_name_is_read_as_its_words() -> None:
    assert unfiled("Is it in Plus_Benefits_Details.pdf?", ["a/Plus_Benefits_Details.pdf"]) == (
        "Is it in Plus Benefits Details?"
    )
    # Only the documents' own extensions are taken off: "v2.md" stays what it is.
    assert unfiled("What changed in v2.md?", ["guide.pdf"]) == "What changed in v2.md?"
    assert subject_terms(None, "docs/employee_handbook-2024.pdf") == frozenset(
        content_terms("employee handbook 2024")
    )
    # A sentence standing in for a title is no subject; the file's name still is.
    assert subject_terms("This is the first sentence of it.", "x/plan.md") == {"plan"}


def test_the_passages_document_names_count_as_found() -> None:
    question = "What do members pay out-of-network according to the Plus_Benefits_Details.pdf?"
    reading = extractive.read(question, [HIT])
    assert {"plus", "benefit", "detail"} <= reading.known
    assert set(reading.terms) <= reading.known  # every word the question asks is there
