"""A Japanese question's words over English pages, counted once each or weighed by rarity.

Run: ``.venv/bin/python -m bench.crossing_idf``. Across languages answerability weighs the
share of a question's words the passages write in English (``Crossing.found``, in all the
passages, and ``Crossing.covered``, in the best sentence), each word counted once, so the
product's name ("Northwind Health Plus": three words) counts as much as the thing asked
("LASIK"). This measures, over Northwind in Japanese (its answerable and unanswerable
questions, the passages as the answer retrieves them), how well each share tells the two
apart (AUC) as shipped and with each word weighed by its IDF in the index: its English terms'
rarest, and a word no readable page holds at an unseen term's. An experiment, not shipped.
Results: bench/results/crossing_idf.json.
"""

from __future__ import annotations

import json
import sys
from itertools import product
from typing import Any

from bench.common import RESULTS, machine, ready_index, write_result
from bench.question_sets import SETS
from yomitoki.assemble import open_answerer
from yomitoki.evals.retrieval import load_questions
from yomitoki.rag.answer import Answerer
from yomitoki.rag.crosslingual import Crossing, _writes
from yomitoki.settings import Settings
from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import split_sentences

SET = "northwind_ja"


def share(answerer: Answerer, crossing: Crossing, text: str, weighed: bool) -> float:
    """The share of the question's words ``text`` writes, each once or by its IDF."""
    idf = answerer.retriever.idf
    filters = answerer.options.filters
    text = text.lower()
    weights: dict[int, float] = {}
    written: set[int] = set()
    for places, terms in crossing.groups:
        rarest = max(max(idf(content_terms(t), filters).values(), default=0.0) for t in terms)
        for at in places:
            weights[at] = max(weights.get(at, 0.0), rarest if weighed else 1.0)
            if any(_writes(text, term) for term in terms):
                written.add(at)
    unseen = max(idf(["zzqqxunseen"], filters).values()) if weighed else 1.0
    total = sum(weights.values()) + (crossing.words - len(weights)) * unseen
    return sum(weights[at] for at in written) / total if total else 0.0


def auc(positives: list[float], negatives: list[float]) -> float:
    """The chance that an answerable question's share beats an unanswerable one's."""
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs)


def main() -> int:
    each = next(s for s in SETS if s.name == SET)
    if (index := ready_index(each.name, each.docs)) is None:
        return 0
    answerer = open_answerer(Settings(index=index), offline=True)
    rows: list[dict[str, Any]] = []
    for question in (q for f in each.files for q in load_questions(f, unanswerable=True)):
        asked = answerer.retrieve(question.question, (), answerer.options)
        crossing = asked.searches.crossing
        if not crossing.words:
            continue
        passages = [h.text for h in asked.hits]
        sentences = [p[a:b] for p in passages for a, b in split_sentences(p)]
        row: dict[str, Any] = {"question": question.question, "answerable": bool(question.relevant)}
        for weighed, where in product((False, True), ("passages", "best_sentence")):
            texts = [" ".join(passages)] if where == "passages" else sentences
            best = max((share(answerer, crossing, t, weighed) for t in texts), default=0.0)
            row[f"{where}_{'idf' if weighed else 'once'}"] = round(best, 4)
        rows.append(row)
    answerer.retriever.close()
    figures = {
        key: round(
            auc(
                [r[key] for r in rows if r["answerable"]],
                [r[key] for r in rows if not r["answerable"]],
            ),
            3,
        )
        for key in ("passages_once", "passages_idf", "best_sentence_once", "best_sentence_idf")
    }
    report = {"machine": machine(), "command": "python -m bench.crossing_idf", "set": SET,
              "auc": figures, "questions": rows}  # fmt: skip
    write_result(RESULTS / "crossing_idf.json", report)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
