"""Fit the offline answerer's answerability model, and report it out of sample only.

Run: ``.venv/bin/python -m bench.calibrate`` (``--refit`` reuses the signals of the last run).

1. For every labelled question of the sets below, answerable or not, the default offline
   answerer retrieves and reads the passages, and its ``Signals`` are recorded
   (bench/results/answerability_signals.json).
2. A logistic regression over the signals is judged by stratified 5-fold cross-validation:
   each fold's model and threshold are fitted on the other four folds, and the fold's
   questions are decided by them. The refusal rates reported are these out-of-fold decisions,
   per set and language, averaged over five different splits into folds. Then each set is
   held out whole (trained on the others), the closer picture of a corpus the calibration
   never saw.
3. The model fitted on every question is written to src/yomitoki/rag/answerability.json, with
   the out-of-fold figures beside it; bench/results/answerability.json has the whole report.

Each (set, answerable or not) group weighs the same in the fit, so JSQuAD's 500 answerable
questions do not drown the rest. The threshold minimises the groups' error rates, an
answerable question refused counting twice (``REFUSAL_COST``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from bench.common import HERE, RESULTS, ROOT, SHARED, index_of, machine, write_result, yomitoki
from yomitoki import open_index
from yomitoki.evals.retrieval import load_questions
from yomitoki.rag import answerability
from yomitoki.rag.answerability import Answerability, Signals
from yomitoki.text.language import detect

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
FOLDS = 5
#: Cross-validations run, each on another split into folds.
REPEATS = 5
SEED = 20261130
#: Regularisation of the logistic regression (scikit-learn's C), on standardised features.
C = 1.0
#: An answerable question refused costs this many unanswerable ones answered, when the
#: threshold is chosen: "I don't know" to a question the documents answer sends the asker
#: away, where a quoted passage beside the point is seen for what it is, cited.
REFUSAL_COST = 2.0


def collect() -> list[dict[str, Any]]:
    """Every question's signals, label and set, as the default offline answerer sees them."""
    rows: list[dict[str, Any]] = []
    for name, (docs, files) in SETS.items():
        if not docs.exists():
            print(f"skipped {name}: {docs} not found")
            continue
        index = index_of(name)
        yomitoki("ingest", str(docs), "--index", str(index), "--no-progress")
        with open_index(index) as opened:
            answerer = opened.answerer
            opts = answerer.options
            for path in files:
                for item in load_questions(path, unanswerable=True):
                    question = " ".join(item.question.split())
                    hits = answerer.retriever.search(
                        question, opts.mode, opts.answer_sources, opts.filters
                    )
                    judged = answerer.judge(question, hits, detect(question), opts)
                    rows.append(
                        {
                            "set": name,
                            "file": path.name,
                            "question": question,
                            "answerable": bool(item.relevant),
                            "sentences": len(judged.composed.sentences),
                            "signals": asdict(judged.signals),
                        }
                    )
        print(f"{name}: {sum(r['set'] == name for r in rows)} questions", flush=True)
    return rows


def matrix(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1 = answerable) and group weights of ``rows``."""
    x = np.array([Signals(**r["signals"]).features() for r in rows])
    y = np.array([int(r["answerable"]) for r in rows])
    groups = Counter((r["set"], r["answerable"]) for r in rows)
    w = np.array([1.0 / groups[(r["set"], r["answerable"])] for r in rows])
    return x, y, w * len(rows) / w.sum()


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Answerability:
    """A model over ``x`` and the threshold that minimises the groups' weighted error on it.

    The features are standardised for the fit (cosines differ by hundredths; regularisation
    would otherwise flatten them), then the weights are turned back into weights of the raw
    signals, which is what yomitoki evaluates."""
    # A feature constant in the training rows (no cross-language question among them) has a
    # weighted variance a rounding error below zero: scikit-learn then scales it by 1.
    with np.errstate(invalid="ignore"):
        scaler = StandardScaler().fit(x, sample_weight=w)
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(scaler.transform(x), y, sample_weight=w)
    probabilities = model.predict_proba(scaler.transform(x))[:, 1]
    cost = w * np.where(y == 1, REFUSAL_COST, 1.0)
    candidates = np.unique(np.round(probabilities, 4))
    errors = [float(np.sum(cost * ((probabilities >= t) != y))) for t in candidates]
    threshold = float(candidates[int(np.argmin(errors))])
    weights = model.coef_[0] / scaler.scale_
    bias = float(model.intercept_[0] - np.sum(weights * scaler.mean_))
    return Answerability(tuple(map(float, weights)), bias, threshold)


def decided(model: Answerability, rows: list[dict[str, Any]]) -> list[bool]:
    """Whether ``model`` answers each row (no sentence found is always a refusal)."""
    return [r["sentences"] > 0 and model.answers(Signals(**r["signals"])) for r in rows]


def _kind(row: dict[str, Any]) -> str:
    return "answerable" if row["answerable"] else "unanswerable"


def rates(rows: list[dict[str, Any]], answered: list[bool]) -> dict[str, dict[str, Any]]:
    """Refusal rates of answerable and unanswerable questions, per set and overall."""
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row, said in zip(rows, answered, strict=True):
        kind = _kind(row)
        for key in (row["set"], "ja" if row["signals"]["japanese"] else "en", "all"):
            tally[key][kind][0] += not said
            tally[key][kind][1] += 1
    return {
        key: {
            f"{kind}_refused": {"rate": round(refused / n, 3), "refused": refused, "of": n}
            for kind, (refused, n) in kinds.items()
        }
        for key, kinds in tally.items()
    }


def cross_validated(rows: list[dict[str, Any]], seed: int) -> list[bool]:
    """Each question decided by the model of the folds it was not in."""
    x, y, w = matrix(rows)
    strata = [f"{r['set']}:{r['answerable']}" for r in rows]
    answered = [False] * len(rows)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(x, strata):
        model = fit(x[train], y[train], w[train])
        for i, said in zip(test, decided(model, [rows[i] for i in test]), strict=True):
            answered[i] = said
    return answered


def repeated(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``rates`` of ``REPEATS`` cross-validations on different fold splits: each rate is their
    mean, with the lowest and highest beside it (a fold split alone moves a rate by a few
    questions)."""
    runs = [rates(rows, cross_validated(rows, SEED + n)) for n in range(REPEATS)]
    out: dict[str, dict[str, Any]] = {}
    for key, kinds in runs[0].items():
        out[key] = {}
        for kind, first in kinds.items():
            values = [run[key][kind]["rate"] for run in runs]
            out[key][kind] = {
                "rate": round(float(np.mean(values)), 3),
                "lowest": min(values),
                "highest": max(values),
                "of": first["of"],
            }
    return out


def held_out_sets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each set decided by a model fitted on the other sets only."""
    out = {}
    for name in sorted({r["set"] for r in rows}):
        train = [r for r in rows if r["set"] != name]
        test = [r for r in rows if r["set"] == name]
        model = fit(*matrix(train))
        out[name] = rates(test, decided(model, test))[name]
    return out


def old_floors(rows: list[dict[str, Any]]) -> list[bool]:
    """The rule this replaces: coverage 0.2 and cosine 0.875 (0.84 in Japanese), tuned in
    sample on Northwind's and JSQuAD's questions."""
    out = []
    for r in rows:
        s = r["signals"]
        floor = 0.84 if s["japanese"] else 0.875
        if s["across"]:
            out.append(r["sentences"] > 0 and s["coverage"] >= floor)
        else:
            out.append(r["sentences"] > 0 and s["coverage"] >= 0.2 and s["similarity"] >= floor)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refit", action="store_true", help="reuse the recorded signals")
    args = parser.parse_args()
    if args.refit:
        rows = json.loads(SIGNALS.read_text())["questions"]
    else:
        rows = collect()
        write_result(SIGNALS, {"machine": machine(), "questions": rows})
    if not rows:
        print("no question set found: nothing to fit")
        return 0
    out_of_fold = repeated(rows)
    held_out = held_out_sets(rows)
    final = fit(*matrix(rows))
    report = {
        "machine": machine(),
        "command": "python -m bench.calibrate",
        "questions": dict(Counter(f"{r['set']}:{_kind(r)}" for r in rows)),
        "out_of_fold": out_of_fold,
        "held_out_set": held_out,
        "old_floors_in_sample": rates(rows, old_floors(rows)),
        "model": json.loads(final.to_json()),
    }
    write_result(RESULTS / "answerability.json", report)
    SHIPPED.write_text(
        final.to_json(
            fitted=f"python -m bench.calibrate on {len(rows)} questions",
            out_of_fold={k: out_of_fold[k] for k in ("en", "ja", "all")},
        )
    )
    for key, figures in out_of_fold.items():
        line = ", ".join(
            f"{k} {v['rate']:.3f} [{v['lowest']:.3f}-{v['highest']:.3f}] of {v['of']}"
            for k, v in figures.items()
        )
        print(f"out of fold  {key:15} {line}")
    for key, figures in held_out.items():
        line = ", ".join(
            f"{k} {v['rate']:.3f} ({v['refused']}/{v['of']})" for k, v in figures.items()
        )
        print(f"held out set {key:15} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
