"""The learned sentence scorer (``yomitoki.rag.scorer``) measured in each of its three uses.

Run: ``.venv/bin/python -m bench.scorer_uses`` (after ``bench.calibrate``, whose recorded
signals it reads). Results: bench/results/scorer_uses.json.

1. Choosing and ordering the answer's sentences: ``yomitoki eval answers --offline`` with every
   question answered (``min_answerability = 0``, so that refusals do not blur the choice), as
   shipped and with word coverage alone (``sentence_scorer = false``), on the sets with
   reference answers and on the demo's Northwind questions (citations_matched). As shipped,
   the scorer chooses across languages only: letting it choose within a language too chose
   worse there (results/scorer_uses_choosing_everywhere.json).
2. As a signal of answerability: each set held out whole, decided by the model fitted on the
   others, with the scorer's probability among the signals and without it.
3. As a second stage over the first stage's best 30 passages (each passage scored by its best
   sentence, blended half and half with the first stage's score): hit@1/3/5 on the model rules
   in English and Japanese, against the first stage alone, and the seconds it costs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from typing import Any

import numpy as np

from bench.calibrate import SIGNALS, recorded
from bench.common import RESULTS, machine, ready_index, write_result, yomitoki
from bench.question_sets import SETS
from yomitoki import open_index
from yomitoki.evals import calibration
from yomitoki.evals.metrics import first_relevant_rank
from yomitoki.evals.retrieval import load_questions
from yomitoki.rag import extractive, scorer
from yomitoki.rag.quantities import unit_asked
from yomitoki.types import Hit, Mode

OUT = RESULTS / "scorer_uses.json"
CHOICE_SETS = ("northwind_demo", "jsquad_test", "model_rules_ja", "model_rules_en")
FIGURES = ("citations_matched", "answer_found", "answer_found_and_cited", "answer_leads")
SECOND_STAGE_SETS = ("model_rules_en", "model_rules_ja")
DEPTH = 30


def choosing() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for each in SETS:
        if each.name not in CHOICE_SETS or (index := ready_index(each.name, each.docs)) is None:
            continue
        answerable = [str(p) for p in each.files if "unanswerable" not in p.name
                      and p.name not in ("on_topic.jsonl", "off_topic.jsonl")]  # fmt: skip
        out[each.name] = {}
        for name, flag in (("shipped", "true"), ("word_coverage", "false")):
            env = {**os.environ, "YOMITOKI_MIN_ANSWERABILITY": "0",
                   "YOMITOKI_SENTENCE_SCORER": flag}  # fmt: skip
            report = RESULTS / ".scorer_uses.json"
            yomitoki("eval", "answers", *answerable, "--index", str(index), "--offline",
                     "--json", str(report), env=env)  # fmt: skip
            summary = json.loads(report.read_text())["summary"]
            report.unlink()
            out[each.name][name] = {k: summary[k] for k in FIGURES if k in summary}
    return out


def answerability() -> dict[str, Any]:
    rows = [recorded(item) for item in json.loads(SIGNALS.read_text())["questions"]]
    without = [dataclasses.replace(r, signals=dataclasses.replace(r.signals, answers=0.0))
               for r in rows]  # fmt: skip
    out = {}
    for name, labelled in (("with_scorer", rows), ("without_scorer", without)):
        held = calibration.held_out_groups(labelled)
        out[name] = {"held_out_set": held, "worst": calibration.worst(held)}
    return out


def second_stage() -> dict[str, Any]:
    head = scorer.load()
    assert head is not None
    out: dict[str, Any] = {}
    for each in SETS:
        if (
            each.name not in SECOND_STAGE_SETS
            or (index := ready_index(each.name, each.docs)) is None
        ):
            continue
        questions = [q for p in each.files for q in load_questions(p, unanswerable=True)
                     if q.relevant]  # fmt: skip
        ranks: dict[str, list[int | None]] = {"first_stage": [], "second_stage": []}
        spent = 0.0
        with open_index(index) as opened:
            retriever = opened.answerer.retriever
            for q in questions:
                hits = retriever.search(q.question, Mode.HYBRID, DEPTH)
                began = time.perf_counter()
                reordered = _reranked(q.question, hits, retriever.embedder, head)
                spent += time.perf_counter() - began
                for name, found in (("first_stage", hits), ("second_stage", reordered)):
                    ranks[name].append(
                        first_relevant_rank(q.relevant, [h.locations() for h in found])
                    )
        out[each.name] = {name: _hits_at(got) for name, got in ranks.items()}
        out[each.name]["seconds_per_question"] = round(spent / len(questions), 2)
    return out


def _hits_at(ranks: list[int | None]) -> dict[str, float]:
    return {f"hit@{n}": round(float(np.mean([r is not None and r <= n for r in ranks])), 3)
            for n in (1, 3, 5)}  # fmt: skip


def _reranked(
    question: str, hits: list[Hit], embedder: Any, head: scorer.SentenceScorer
) -> list[Hit]:
    pool = extractive.sentences(hits)
    unit = unit_asked(question)
    # The pool's sentences carry no word coverage (extractive.sentences scores none), as
    # across languages.
    vectors = embedder.embed_passages([e.text for e in pool])
    candidates = scorer.Candidates.of(embedder.embed_query(question), vectors, pool, unit)
    probabilities = head.probabilities(candidates)
    best: dict[int, float] = {}
    for e, p in zip(pool, probabilities, strict=True):
        best[e.hit_rank] = max(best.get(e.hit_rank, 0.0), float(p))
    top = max(h.score for h in hits)
    blended = [0.5 * h.score / top + 0.5 * best.get(i + 1, 0.0) for i, h in enumerate(hits)]
    return [hits[i] for i in sorted(range(len(hits)), key=lambda i: -blended[i])]


def main() -> int:
    if not SIGNALS.exists():
        print(f"skipped: run bench.calibrate first ({SIGNALS} not found)")
        return 0
    report = {"machine": machine(), "command": "python -m bench.scorer_uses",
              "choosing_sentences": choosing(), "answerability": answerability(),
              "second_stage": second_stage()}  # fmt: skip
    write_result(OUT, report)
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1)[:3000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
