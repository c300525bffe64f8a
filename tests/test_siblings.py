"""A question naming one of two sibling documents (two plans, two editions) is answered from the
one it names, never from the other's pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import builders
from tests.options import WORDS, answer_options, answerer, open_store, searcher
from yomitoki.backends.fake import HashEmbedder
from yomitoki.rag import siblings
from yomitoki.types import Hit, Location, Mode

PLANS = {
    "plus.md": "# Acme Health Plus Plan\n\nThe annual deductible is $500 for in-network "
    "care. Acupuncture is covered up to 12 visits a year.\n",
    "standard.md": "# Acme Health Standard Plan\n\nThe annual deductible is $2,000 for "
    "in-network care. Chiropractic care is covered up to 10 visits a year.\n",
    "handbook.md": "# Acme Employee Handbook\n\nEmployees choose a health plan when they join "
    "and may change it at open enrollment each November.\n",
}


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    return builders.indexed(tmp_path, PLANS)


def test_the_plan_a_question_names_answers_it_and_its_sibling_does_not(plans: Path) -> None:
    keyword = answer_options(mode=Mode.KEYWORD, answerability=WORDS)
    with open_store(plans) as store:
        asker = answerer(searcher(store, HashEmbedder()))
        # Both plans' pages write "annual deductible"; the search alone finds both.
        both = {h.document for h in asker.retriever.search("annual deductible", Mode.KEYWORD, 5)}
        assert {"plus.md", "standard.md"} <= both
        for question, named, other, amount in (
            ("What is the annual deductible of the Plus plan?", "plus.md", "standard.md", "$500"),
            ("What is the Standard plan's annual deductible?", "standard.md", "plus.md", "$2,000"),
        ):
            hits = asker.retrieve(question, (), keyword).hits
            assert named in {h.document for h in hits}
            assert other not in {h.document for h in hits}
            _, answer = asker.ask(question, (), keyword)
            assert amount in answer.text and {c.split("#")[0] for c in answer.citations} == {named}
        # A question naming both, or neither, is searched as it always was.
        for question in (
            "How does the Plus plan's annual deductible compare with the Standard plan's?",
            "What is the annual deductible?",
        ):
            documents = {h.document for h in asker.retrieve(question, (), keyword).hits}
            assert {"plus.md", "standard.md"} <= documents
        # A benefit only the other plan has, asked of this one, is not answered from the other.
        _, refused = asker.ask(
            "How many acupuncture visits does the Standard plan cover?", (), keyword
        )
        assert refused.dont_know and "12 visits" not in refused.text
        _, answered = asker.ask(
            "How many acupuncture visits does the Plus plan cover?", (), keyword
        )
        assert "12 visits" in answered.text and not answered.dont_know


def _hit(document: str, title: str | None) -> Hit:
    return Hit(1, document, Location(page=1), "text", 1.0, title=title)


@pytest.mark.parametrize(
    ("question", "against"),
    [
        ("What does the 2024 handbook say about remote work?", {"2023.pdf"}),
        ("2023年版の就業規則では在宅勤務は？", {"2024.pdf"}),
        ("What does the handbook say about remote work?", set()),
        ("How did the 2023 handbook change in 2024?", set()),
    ],
)
def test_two_editions_are_siblings_and_an_article_named_in_passing_is_not(
    question: str, against: set[str]
) -> None:
    editions = [
        _hit("2023.pdf", "Employee Handbook 2023 就業規則"),
        _hit("2024.pdf", "Employee Handbook 2024 就業規則"),
        # Shares one title word with them: no sibling, whatever the question names.
        _hit("benefits.pdf", "Benefits 2024"),
        # No title: its file name's words stand for it.
        _hit("docs/Travel_Policy.md", None),
    ]
    assert siblings.named_against(question, editions) == against
    kept = [h.document for h in siblings.named_only(question, editions)]
    assert kept == [h.document for h in editions if h.document not in against]
