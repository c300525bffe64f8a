"""Fit the offline answerer's answerability model, and report it out of sample only.

Run: ``.venv/bin/python -m bench.calibrate`` (``--refit`` reuses the signals of the last run).
The fitting and the cross-validation are ``yomitoki.evals.calibration``, the same code as
``yomitoki eval calibrate``; this script runs them on the sets below and ships the result.

1. For every labelled question of the sets below, answerable or not, the default offline
   answerer retrieves and reads the passages, and its ``Signals`` are recorded
   (bench/results/answerability_signals.json).
2. A logistic model over the signals is judged by stratified 5-fold cross-validation: each
   fold's model and threshold are fitted on the other four folds, and the fold's questions
   are decided by them. The refusal rates reported are these out-of-fold decisions, per set
   and language, averaged over five different splits into folds. Then each set is held out
   whole (trained on the others), the closer picture of a corpus the calibration never saw.
3. The model fitted on every question is written to src/yomitoki/rag/answerability.json, with
   the out-of-fold figures beside it; bench/results/answerability.json has the whole report.

Each (set, answerable or not) group weighs the same in the fit, so JSQuAD's 500 answerable
questions do not drown the rest. The threshold minimises the groups' errors, an answerable
question refused counting twice (``calibration.REFUSAL_COST``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import HERE, RESULTS, ROOT, SHARED, machine, ready_index, write_result
from yomitoki import open_index
from yomitoki.evals import calibration
from yomitoki.evals.calibration import Labelled
from yomitoki.evals.retrieval import load_questions
from yomitoki.rag import answerability
from yomitoki.rag.answerability import Signals

DATA = HERE / "data"
#: Each set: the folder indexed, and its question files (answerable and unanswerable mixed).
SETS: dict[str, tuple[Path, tuple[Path, ...]]] = {
    "northwind": (
        SHARED / "northwind" / "docs",
        (
            SHARED / "northwind" / "eval" / "ground_truth.jsonl",
            DATA / "northwind_more.jsonl",
            DATA / "northwind_unanswerable.jsonl",
        ),
    ),
    "northwind_ja": (
        SHARED / "northwind" / "docs",
        (DATA / "northwind_ja.jsonl", DATA / "northwind_unanswerable_ja.jsonl"),
    ),
    "jsquad": (
        SHARED / "jsquad-valid" / "docs",
        (SHARED / "jsquad-valid" / "questions.jsonl", DATA / "jsquad_unanswerable.jsonl"),
    ),
    "model_rules_ja": (
        SHARED / "japanese-docs",
        (
            DATA / "model_rules_ja.jsonl",
            DATA / "hr_ja.jsonl",
            DATA / "model_rules_unanswerable_ja.jsonl",
        ),
    ),
}
SIGNALS = RESULTS / "answerability_signals.json"
SHIPPED = ROOT / "src" / "yomitoki" / "rag" / answerability.SHIPPED


def collect() -> list[Labelled]:
    """Every question's signals, label and set, as the default offline answerer sees them."""
    rows: list[Labelled] = []
    for name, (docs, files) in SETS.items():
        if (index := ready_index(name, docs)) is None:
            continue
        with open_index(index) as opened:
            questions = [q for path in files for q in load_questions(path, unanswerable=True)]
            rows += calibration.collect(opened.answerer, questions, name)
        print(f"{name}: {sum(r.group == name for r in rows)} questions", flush=True)
    return rows


def recorded(item: dict[str, Any]) -> Labelled:
    """A row of the signals file."""
    return Labelled(
        item["set"], item["question"], item["answerable"], Signals(**item["signals"]),
        item["sentences"],
    )  # fmt: skip


def old_floors(rows: list[Labelled]) -> list[bool]:
    """The rule this replaced: coverage 0.2 and cosine 0.875 (0.84 in Japanese), tuned in
    sample on Northwind's and JSQuAD's questions."""
    out = []
    for r in rows:
        s = r.signals
        floor = 0.84 if s.japanese else 0.875
        if s.across:
            out.append(r.sentences > 0 and s.coverage >= floor)
        else:
            out.append(r.sentences > 0 and s.coverage >= 0.2 and s.similarity >= floor)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refit", action="store_true", help="reuse the recorded signals")
    args = parser.parse_args()
    if args.refit:
        rows = [recorded(item) for item in json.loads(SIGNALS.read_text())["questions"]]
    else:
        rows = collect()
        questions = [
            {"set": r.group, "question": r.question, "answerable": r.answerable,
             "sentences": r.sentences, "signals": asdict(r.signals)}
            for r in rows
        ]  # fmt: skip
        write_result(SIGNALS, {"machine": machine(), "questions": questions})
    if not rows:
        print("no question set found: nothing to fit")
        return 0
    out_of_fold = calibration.out_of_fold(rows)
    held_out = calibration.held_out_groups(rows)
    final = calibration.fit(rows)
    kinds = Counter(f"{r.group}:{calibration.kind(r)}" for r in rows)
    report = {
        "machine": machine(),
        "command": "python -m bench.calibrate",
        "questions": dict(kinds),
        "out_of_fold": out_of_fold,
        "held_out_set": held_out,
        "old_floors_in_sample": calibration.rates(rows, old_floors(rows)),
        "model": json.loads(final.to_json()),
    }
    write_result(RESULTS / "answerability.json", report)
    SHIPPED.write_text(
        final.to_json(
            fitted=f"python -m bench.calibrate on {len(rows)} questions",
            out_of_fold={k: out_of_fold[k] for k in ("en", "ja", "all")},
        )
    )
    for line in calibration.describe(out_of_fold):
        print(f"out of fold   {line}")
    for line in calibration.describe(held_out):
        print(f"held-out set  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
