"""``yomitoki eval answers``: ask every question, score the citations and the refusals."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import Template
from typing import Protocol

from yomitoki.backends.base import LLM
from yomitoki.evals.metrics import citations_matched, contains_answer, percentile
from yomitoki.evals.retrieval import Question
from yomitoki.rag.passages import passages, sources_block
from yomitoki.text import citations
from yomitoki.types import Answer, Context, Message

JUDGE_PROMPT = """Rate an answer to a question, given the sources it was written from.
groundedness: 5 when every claim is stated in the sources, 1 when most are not.
relevance: 5 when it answers the question fully, 1 when it does not address it.
Reply with JSON only: {"groundedness": n, "relevance": n}

Sources:
$sources

Question: $question
Answer: $answer"""


@dataclass(frozen=True, slots=True)
class Graded:
    """One question's answer and its scores."""

    question: Question
    answer: Answer
    matched: float
    judge: dict[str, int] | None = None
    #: Whether the answer states a reference answer; None when the question has none.
    found: bool | None = None
    #: Whether the passages given to the answerer held one: the ceiling of ``found``.
    found_in_passages: bool | None = None
    #: Whether the answer states a reference answer before its first citation: it leads
    #: with the fact rather than a neighbouring rule.
    leads: bool | None = None

    @property
    def answerable(self) -> bool:
        """The question cites a source, so the documents answer it."""
        return bool(self.question.relevant)


def judge(llm: LLM, context: Context, answer: Answer) -> dict[str, int] | None:
    """An LLM's 1-5 groundedness and relevance of ``answer``, or None if it replies badly."""
    prompt = Template(JUDGE_PROMPT).substitute(
        sources=sources_block(passages(context.hits)), question=context.question, answer=answer.text
    )
    text, _ = llm.complete([Message("user", prompt)], temperature=0.0, max_tokens=50)
    try:
        scores = json.loads(text[text.find("{") : text.rfind("}") + 1])
        return {k: int(scores[k]) for k in ("groundedness", "relevance")}
    except (ValueError, KeyError, TypeError):
        return None


class Asker(Protocol):
    """Anything that answers a question: an ``Answerer``, or the LLM alone (``ClosedBook``)."""

    @property
    def name(self) -> str:
        """What answered, for the report."""

    def ask(self, question: str) -> tuple[Context, Answer]:
        """The context the answer was written from, and the answer."""


#: The three ways ``--compare`` answers, in the order of its table.
COMPARED = ("llm_alone", "retrieval_llm", "offline")


def grade(
    answerer: Asker,
    questions: Sequence[Question],
    judge_llm: LLM | None = None,
    on_done: Callable[[Graded], None] | None = None,
) -> list[Graded]:
    """Answer each question and score it."""
    out = []
    for question in questions:
        context, answer = answerer.ask(question.question)
        scores = judge(judge_llm, context, answer) if judge_llm and not answer.dont_know else None
        spans = question.answers
        graded = Graded(
            question,
            answer,
            citations_matched(question.relevant, answer.citations),
            scores,
            found=contains_answer(citations.strip(answer.text), spans) if spans else None,
            found_in_passages=(
                any(contains_answer(h.text, spans) for h in context.hits) if spans else None
            ),
            leads=contains_answer(_before_first_citation(answer.text), spans) if spans else None,
        )
        out.append(graded)
        if on_done is not None:
            on_done(graded)
    return out


def summary(results: Sequence[Graded]) -> dict[str, object]:
    """Figures over answerable and unanswerable questions, as ``--json`` writes them."""
    answerable = [g for g in results if g.answerable]
    answered = [g for g in answerable if not g.answer.dont_know]
    unanswerable = [g for g in results if not g.answerable]
    latency = [g.answer.timings.get("total_ms", 0.0) for g in results]
    supported = [s.supported for g in answered for s in g.answer.support]
    out: dict[str, object] = {
        "questions": len(results),
        "answerable": len(answerable),
        "answered": len(answered),
        "answered_rate": _ratio(len(answered), len(answerable)),
        "citations_matched": _ratio(sum(g.matched for g in answerable), len(answerable)),
        "citations_matched_of_answered": _ratio(sum(g.matched for g in answered), len(answered)),
        "any_citation": _ratio(sum(1 for g in answered if g.answer.citations), len(answered)),
        "supported_sentences": _ratio(sum(supported), len(supported)),
        "removed_citations": sum(len(g.answer.removed_citations) for g in results),
        "answer_chars_mean": round(statistics.fmean(len(g.answer.text) for g in answered), 1)
        if answered
        else 0.0,
        "latency_ms_p50": round(percentile(latency, 50), 1),
        "latency_ms_p95": round(percentile(latency, 95), 1),
        "unanswerable": len(unanswerable),
        "dont_know_rate": _ratio(sum(g.answer.dont_know for g in unanswerable), len(unanswerable)),
    }
    spans = [g for g in answerable if g.found is not None]
    if spans:
        answered_spans = [g for g in spans if not g.answer.dont_know]
        out["answer_found"] = _ratio(sum(1 for g in spans if g.found), len(spans))
        out["answer_found_of_answered"] = _ratio(
            sum(1 for g in answered_spans if g.found), len(answered_spans)
        )
        out["answer_in_passages"] = _ratio(sum(1 for g in spans if g.found_in_passages), len(spans))
        # The "states the fact and cites its page", and "the fact stated first".
        out["answer_found_and_cited"] = _ratio(
            sum(1 for g in spans if g.found and g.matched > 0), len(spans)
        )
        out["answer_leads"] = _ratio(sum(1 for g in spans if g.leads), len(spans))
    judged = [g.judge for g in results if g.judge is not None]
    if judged:
        for key in ("groundedness", "relevance"):
            out[f"judge_{key}_mean"] = round(statistics.fmean(j[key] for j in judged), 2)
    return out


def per_question(results: Sequence[Graded]) -> list[dict[str, object]]:
    """Every question with its answer, citations and scores."""
    return [
        {
            "question": g.question.question,
            "truth": list(g.question.relevant),
            "answer": g.answer.text,
            "citations": list(g.answer.citations),
            "citations_matched": round(g.matched, 3),
            "dont_know": g.answer.dont_know,
            "unsupported": [s.sentence for s in g.answer.unsupported],
            "latency_ms": g.answer.timings.get("total_ms"),
            **(
                {
                    "answers": list(g.question.answers),
                    "answer_found": g.found,
                    "answer_leads": g.leads,
                }
                if g.found is not None
                else {}
            ),
            **({"judge": g.judge} if g.judge else {}),
        }
        for g in results
    ]


def _before_first_citation(text: str) -> str:
    """The answer up to its first citation mark (all of it when it cites nothing)."""
    first = next(citations.brackets(text), None)
    return text if first is None else text[: first[0].start()]


def _ratio(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
