"""Retrieval as the answer sees it, with and without the question read in the other language.

Run: ``.venv/bin/python -m bench.answer_retrieval``. ``yomitoki eval retrieval`` scores the
first stage alone; an answer's passages come from ``Answerer.retrieve``, which also searches
a question's words in the other language (``rag.crosslingual``: English over Japanese
documents, Japanese over English ones). For every answerable question of each set of
``bench.question_sets``, the ten passages the answer would read are scored (page-hit@k, MRR)
twice in one run: as shipped, and with the crossing turned off (``MIN_UNREAD`` past any
share); for the sets asked across languages, also with the other language's search weighed
otherwise (``TERMS_WEIGHT``: shipped 1, and 2 and 3). Results:
bench/results/answer_retrieval.json.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from bench.common import RESULTS, machine, ready_index, write_result
from bench.question_sets import SETS
from yomitoki.assemble import open_answerer
from yomitoki.evals.metrics import first_relevant_rank, summarize
from yomitoki.evals.retrieval import Question, load_questions
from yomitoki.rag import crosslingual
from yomitoki.rag.answer import Answerer
from yomitoki.settings import Settings

DEPTH = 10


def figures(answerer: Answerer, questions: Sequence[Question]) -> dict[str, Any]:
    """Each of ``questions`` retrieved as the answer does (``DEPTH`` passages), scored."""
    options = dataclasses.replace(answerer.options, answer_sources=DEPTH)
    ranks = []
    for question in questions:
        hits = answerer.retrieve(question.question, (), options).hits
        ranks.append(first_relevant_rank(question.relevant, [h.locations() for h in hits]))
    summary = summarize(ranks)
    return {
        **{f"hit@{k}": round(v, 3) for k, v in summary.hit_at.items()},
        "mrr": round(summary.mrr, 3),
        "questions": summary.questions,
    }


#: The other language's search weighed otherwise than shipped, for the sets that cross.
OTHER_TERMS_WEIGHTS = (2.0, 3.0)


def scored(name: str, crossing: bool, terms_weight: float | None = None) -> dict[str, Any]:
    """The set's answerable questions retrieved as the answer does, scored; with the other
    language's search weighed ``terms_weight`` when given."""
    each = next(s for s in SETS if s.name == name)
    index = ready_index(each.name, each.docs)
    assert index is not None
    answerer = open_answerer(Settings(index=index), offline=True)
    questions = [q for f in each.files for q in load_questions(f, unanswerable=True) if q.relevant]
    shipped, weight = crosslingual.MIN_UNREAD, crosslingual.TERMS_WEIGHT
    crosslingual.MIN_UNREAD = shipped if crossing else float("inf")
    crosslingual.TERMS_WEIGHT = weight if terms_weight is None else terms_weight
    try:
        return figures(answerer, questions)
    finally:
        crosslingual.MIN_UNREAD, crosslingual.TERMS_WEIGHT = shipped, weight
        answerer.retriever.close()


def main() -> int:
    report: dict[str, Any] = {"machine": machine(), "depth": DEPTH, "sets": {}}
    for each in SETS:
        if not each.docs.exists() or not each.files[0].exists():
            print(f"skipped {each.name}: its documents or questions are not here")
            continue
        if not any(q.relevant for f in each.files for q in load_questions(f, unanswerable=True)):
            continue  # no answerable question: nothing to retrieve for
        both = {"shipped": scored(each.name, True), "no_crossing": scored(each.name, False)}
        if each.languages[:2] != each.languages[-2:]:  # asked across languages
            for weight in OTHER_TERMS_WEIGHTS:
                both[f"terms_weight_{weight:g}"] = scored(each.name, True, weight)
        report["sets"][each.name] = {"languages": each.languages, **both}
        print(each.name, each.languages, both, flush=True)
    report["command"] = "python -m bench.answer_retrieval"
    write_result(RESULTS / "answer_retrieval.json", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
