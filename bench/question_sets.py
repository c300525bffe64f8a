"""Every labelled question set the answer benchmarks ask, in one place.

``bench.calibrate`` fits the answerability model on them and judges it holding out one whole set
at a time; ``bench.eval_answers`` asks each set with the shipped model. Each set names its
documents, its question files (answerable and unanswerable questions mixed) and whose hands
wrote it: a set written here is in sample for what was tuned on it, one written elsewhere is
the nearest thing to the questions of a user nobody here has met.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.common import HERE, SHARED

DATA = HERE / "data"
NORTHWIND = SHARED / "northwind" / "docs"
RULES = SHARED / "japanese-docs"
TEST_KINDS = ("answerable", "on_topic", "off_topic")
SQUAD_KINDS = ("answerable", "adversarial", "off_topic")


@dataclass(frozen=True, slots=True)
class QuestionSet:
    """A set of questions over one folder of documents."""

    name: str
    docs: Path
    files: tuple[Path, ...]
    #: Who wrote the questions.
    hands: str
    #: The questions' language and the documents' ("en>ja": English over Japanese).
    languages: str
    #: Whether the answerability model is fitted on it; a set it never is only measures the
    #: shipped model (``bench.calibrate`` reports it apart).
    fitted: bool = True


#: HR questions asked as people ask them (有休, 残業代, 「…ってOK？」, "quitting"), written here on
#: 2026-12-07 while the casual words were read (in sample for that reading; never fitted on).
CASUAL = (
    QuestionSet("hr_casual_ja", RULES, (DATA / "hr_casual_ja.jsonl",), "here, casually", "ja>ja",
                fitted=False),
    QuestionSet("hr_casual_en", RULES, (DATA / "hr_casual_en.jsonl",), "here, casually", "en>ja",
                fitted=False),
)  # fmt: skip
SETS = (
    QuestionSet(
        "northwind_demo",
        NORTHWIND,
        (SHARED / "northwind" / "eval" / "ground_truth.jsonl",),
        "azure-search-openai-demo (answerable only)",
        "en>en",
    ),
    QuestionSet(
        "northwind_here",
        NORTHWIND,
        (
            DATA / "northwind_more.jsonl",
            DATA / "northwind_unanswerable.jsonl",
            DATA / "northwind_near_miss.jsonl",
        ),
        "here (near misses: absent plans, benefits and figures on topic)",
        "en>en",
    ),
    QuestionSet(
        "northwind_ja",
        NORTHWIND,
        (DATA / "northwind_ja.jsonl", DATA / "northwind_unanswerable_ja.jsonl"),
        "here (the demo's questions translated)",
        "ja>en",
    ),
    QuestionSet(
        "jsquad_valid",
        SHARED / "jsquad-valid" / "docs",
        (SHARED / "jsquad-valid" / "questions.jsonl", DATA / "jsquad_unanswerable.jsonl"),
        "JSQuAD's crowd workers (answerable), here (unanswerable)",
        "ja>ja",
    ),
    QuestionSet(
        "jsquad_test",
        DATA / "jsquad-test" / "docs",
        tuple(DATA / "jsquad-test" / f"{kind}.jsonl" for kind in TEST_KINDS),
        "JSQuAD's crowd workers (test split; unanswerable: their questions on withheld "
        "paragraphs and other articles)",
        "ja>ja",
    ),
    QuestionSet(
        "jsquad_swapped",
        DATA / "jsquad-test" / "docs",
        (DATA / "jsquad-test" / "swapped.jsonl",),
        "JSQuAD's crowd workers, each answerable question's most specific noun swapped for "
        "one no paragraph holds (bench/make_swapped.py)",
        "ja>ja",
        fitted=False,
    ),
    QuestionSet(
        "squad2",
        DATA / "squad2" / "docs",
        tuple(DATA / "squad2" / f"{kind}.jsonl" for kind in SQUAD_KINDS),
        "SQuAD 2.0's crowd workers (unanswerable: written against a paragraph to look answerable "
        "from it; off topic: their questions on articles not indexed)",
        "en>en",
        # Fitted on, its adversarial questions (which no signal tells from answerable ones)
        # only raised the threshold: bench/README.md, "Answerability".
        fitted=False,
    ),
    QuestionSet(
        "model_rules_ja",
        RULES,
        (
            DATA / "model_rules_ja.jsonl",
            DATA / "hr_ja.jsonl",
            DATA / "model_rules_unanswerable_ja.jsonl",
        ),
        "here",
        "ja>ja",
    ),
    QuestionSet(
        "model_rules_en",
        RULES,
        (DATA / "model_rules_en.jsonl", DATA / "model_rules_unanswerable_en.jsonl"),
        "here (model_rules_ja's and hr_ja's questions in English)",
        "en>ja",
    ),
    *CASUAL,
)
#: Two-turn conversations over the model rules, in Japanese and English: the follow-up's page.
FOLLOWUPS = DATA / "followups.jsonl"
