"""A question naming one of two sibling documents (two plans, two editions) is answered from the
one it names, never from the other's pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import builders
from tests.options import WORDS, answer_options, answerer, open_store, searcher
from yomitoki.backends.fake import HashEmbedder
from yomitoki.types import Mode

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
