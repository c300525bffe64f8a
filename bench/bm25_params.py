"""The keyword leg's BM25 constants, swept on the passages the answer is given.

Run: ``.venv/bin/python -m bench.bm25_params``. The SQLite engine scores the keyword leg with
Okapi BM25 at ``K1 = 1.2``, ``B = 0.75`` (``index/bm25.py``: Lucene's and Elasticsearch's
defaults). For each pair of constants below, every answerable question of each set the answer
benchmarks ask (same-language and across) is retrieved as the answer retrieves it (``Answerer
.retrieve``, ten passages) and scored by page-hit@1/3/5 and MRR, all in one run. An experiment:
the shipped constants stay unless another pair moves every set. Results:
bench/results/bm25_params.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yomitoki.index.sqlite.keyword as keyword
from bench.answer_retrieval import DEPTH, figures
from bench.common import RESULTS, machine, ready_index, write_result
from bench.question_sets import SETS
from yomitoki.assemble import open_answerer
from yomitoki.evals.retrieval import Question, load_questions
from yomitoki.settings import Settings

#: (k1, b): the shipped pair first, then k1 and b moved one at a time.
PAIRS = ((1.2, 0.75), (0.9, 0.75), (1.5, 0.75), (2.0, 0.75), (1.2, 0.3), (1.2, 0.5), (1.2, 0.9))
NAMES = (
    "northwind_demo",
    "northwind_here",
    "northwind_ja",
    "jsquad_test",
    "model_rules_ja",
    "model_rules_en",
)


def scored(index: Path, questions: list[Question]) -> dict[str, Any]:
    """The questions retrieved as the answer does, at the constants ``keyword`` holds now."""
    answerer = open_answerer(Settings(index=index), offline=True)
    try:
        return figures(answerer, questions)
    finally:
        answerer.retriever.close()


def main() -> int:
    sets: dict[str, tuple[Path, list[Question]]] = {}
    for each in SETS:
        if each.name not in NAMES:
            continue
        index = ready_index(each.name, each.docs)
        if index is None or not each.files[0].exists():
            print(f"skipped {each.name}: its documents or questions are not here")
            continue
        found = [q for f in each.files for q in load_questions(f, unanswerable=True)]
        sets[each.name] = (index, [q for q in found if q.relevant])
    shipped = keyword.K1, keyword.B
    report: dict[str, Any] = {"machine": machine(), "depth": DEPTH, "pairs": []}
    try:
        for k1, b in PAIRS:
            keyword.K1, keyword.B = k1, b
            figures = {name: scored(index, qs) for name, (index, qs) in sets.items()}
            report["pairs"].append({"k1": k1, "b": b, "sets": figures})
            print(k1, b, figures, flush=True)
    finally:
        keyword.K1, keyword.B = shipped
    report["command"] = "python -m bench.bm25_params"
    write_result(RESULTS / "bm25_params.json", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
