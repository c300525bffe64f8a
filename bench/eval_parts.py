"""Questions that ask two things: is each part answered, with its parts searched or not?

Run: ``.venv/bin/python -m bench.eval_parts``. Each question of bench/data/parts.jsonl (written
here: two of the HR questions asked at once, in Japanese and in English, over the model
employment rules) names, for each of its parts, the page that answers it and its reference
words. A part is answered when the answer cites its page and states its words. Every question is
asked twice in one run: as shipped (``rag.parts`` splits it, each part searched and its best
sentence quoted first) and read as one question (``parts.parts`` finding none). Northwind's
compound questions are in ``bench.eval_answers``' sets. Results: bench/results/parts_offline.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS, machine, ready_index, shown, write_result
from bench.question_sets import DATA, RULES
from yomitoki import open_index
from yomitoki.evals.metrics import citations_matched, contains_answer
from yomitoki.rag import parts
from yomitoki.text import citations

SET = DATA / "parts.jsonl"
OUT = RESULTS / "parts_offline.json"


def answered(index: Path, split: bool) -> list[dict[str, Any]]:
    """Every question's answer, and which of its parts it answers."""
    shipped = parts.parts
    if not split:
        parts.parts = lambda question: ()
    rows = []
    try:
        with open_index(index) as opened:
            for line in SET.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                _, answer = opened.answerer.ask(item["question"])
                text = citations.strip(answer.text)
                each = [
                    citations_matched(p["relevant"], answer.citations) > 0
                    and contains_answer(text, p["answers"])
                    for p in item["parts"]
                ]
                rows.append({**item, "answer": answer.text, "parts_answered": each})
    finally:
        parts.parts = shipped
    return rows


def figures(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per language: the questions, the parts answered, and the questions answered whole."""
    out = {}
    for language in ("ja", "en"):
        mine = [r for r in rows if r["question"].isascii() == (language == "en")]
        out[language] = {
            "questions": len(mine),
            "parts": sum(len(r["parts_answered"]) for r in mine),
            "parts_answered": sum(sum(r["parts_answered"]) for r in mine),
            "every_part_answered": sum(all(r["parts_answered"]) for r in mine),
        }
    return out


def main() -> int:
    if (index := ready_index("model_rules_ja", RULES)) is None:
        return 0
    runs = {"shipped": answered(index, True), "read_whole": answered(index, False)}
    report = {
        "machine": machine(),
        "command": "python -m bench.eval_parts",
        "set": shown(SET),
        "figures": {name: figures(rows) for name, rows in runs.items()},
        "questions": runs,
    }
    write_result(OUT, report)
    print(json.dumps(report["figures"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
