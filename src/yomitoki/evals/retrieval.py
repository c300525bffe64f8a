"""``yomitoki eval retrieval``: question sets in, page-hit@k and MRR per mode out."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yomitoki.errors import YomitokiError
from yomitoki.evals.metrics import (
    KS,
    RetrievalSummary,
    first_relevant_rank,
    summarize,
)
from yomitoki.rag.retriever import Retriever
from yomitoki.text import citations
from yomitoki.types import Mode


@dataclass(frozen=True, slots=True)
class Question:
    """One evaluation question and the citations that answer it."""

    question: str
    relevant: tuple[str, ...]
    #: Reference answer spans (JSQuAD's ``answers``), when the set has them.
    answers: tuple[str, ...] = ()


def load_questions(path: Path, unanswerable: bool = False) -> list[Question]:
    """Read JSONL with ``truth`` (citations in brackets) or ``relevant`` (a list).

    With ``unanswerable``, a question citing nothing is kept: the documents cannot answer it.
    """
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise YomitokiError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["question"]
            if "relevant" in item:
                relevant = tuple(str(r) for r in item["relevant"])
            else:
                relevant = tuple(citations.find(item["truth"]))
            answers = tuple(str(a) for a in item.get("answers") or ())
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise YomitokiError(
                f"{path}:{number}: expected {{'question', 'truth' or 'relevant'}} ({exc})"
            ) from None
        if not relevant and not unanswerable:
            raise YomitokiError(f"{path}:{number}: the question cites no source")
        questions.append(Question(text, relevant, answers))
    return questions


@dataclass(frozen=True, slots=True)
class ModeResult:
    """One mode's summary, per-question ranks and timing."""

    mode: str
    summary: RetrievalSummary
    ranks: tuple[int | None, ...]
    hits: tuple[tuple[str, ...], ...]
    seconds: float


def evaluate(
    retriever: Retriever,
    questions: Sequence[Question],
    mode: Mode,
    depth: int = max(KS),
    rerank: bool = False,
) -> ModeResult:
    """Search each question and score where the first relevant location lands.

    ``rerank`` runs the retriever's second stage; without it the first stage alone is scored.
    """
    began = time.perf_counter()
    ranks: list[int | None] = []
    all_hits: list[tuple[str, ...]] = []
    label = f"{mode.value}+rerank" if rerank else mode.value
    for q in questions:
        found = retriever.search(q.question, mode, depth, rerank=rerank)
        hits = tuple(h.citation() for h in found)
        all_hits.append(hits)
        ranks.append(first_relevant_rank(q.relevant, [h.locations() for h in found]))
    elapsed = time.perf_counter() - began
    return ModeResult(label, summarize(ranks), tuple(ranks), tuple(all_hits), elapsed)


def report(questions: Sequence[Question], results: Sequence[ModeResult]) -> dict[str, object]:
    """The machine-readable summary ``--json`` writes."""
    return {
        "questions": len(questions),
        "modes": {
            r.mode: {
                **{f"hit@{k}": round(v, 4) for k, v in r.summary.hit_at.items()},
                "mrr": round(r.summary.mrr, 4),
                "seconds": round(r.seconds, 2),
            }
            for r in results
        },
        "per_question": [
            {
                "question": q.question,
                "relevant": list(q.relevant),
                **{r.mode: {"rank": r.ranks[i], "top": list(r.hits[i][:5])} for r in results},
            }
            for i, q in enumerate(questions)
        ],
    }
