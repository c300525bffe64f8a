"""Fit the offline answerer's answerability model on labelled questions, judged out of fold.

``yomitoki eval calibrate`` and ``bench/calibrate.py`` both come here. Every question, answerable
(it cites something) or not, is answered by the offline answerer and its ``Signals`` recorded.
A logistic model over them is fitted (``evals.logistic``), with the threshold that minimises
the weighted errors, refusing an answerable question costing ``REFUSAL_COST`` answered
unanswerable ones; the model is the middle of such fits on resamples (bagging). It is judged
by stratified k-fold cross-validation repeated on several splits, and by holding out whole
sets: every figure reported is a decision by a model that never saw the question.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from yomitoki.evals import logistic
from yomitoki.evals.retrieval import Question
from yomitoki.rag.answer import Answerer
from yomitoki.rag.answerability import Answerability, Signals

#: Regularisation (as scikit-learn's C: the loss weighs C times the squared weights' half).
C = 1.0
#: Refusing an answerable question costs this many answered unanswerable ones when the
#: threshold is chosen: "I don't know" to a question the documents answer sends the asker
#: away, where a quoted passage beside the point is seen for what it is, cited.
REFUSAL_COST = 2.0
FOLDS = 5
#: Cross-validations, each on another split into folds; each rate is their mean.
REPEATS = 5
SEED = 20261130
#: Fits on resamples whose middle is the model (``fit``). With 30, another seed chose another
#: regularisation on the same signals (bench.calibrate, 2026-12-06); with 100, two seeds chose
#: the same and their held-out figures differed by three questions of one set at most.
BAGS = 100

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Labelled:
    """One question as the answerer saw it: its set, whether it is answerable, its signals,
    and whether the answerer found any sentence to quote at all."""

    group: str
    question: str
    answerable: bool
    signals: Signals
    sentences: int


def collect(
    answerer: Answerer,
    questions: Sequence[Question],
    group: str,
) -> list[Labelled]:
    """Each question retrieved and read by the offline answerer, with its signals: the first
    half of an answer (``Answerer.retrieve``) and its decision (``Answerer.judge``)."""
    opts = answerer.options
    out = []
    for item in questions:
        asked = answerer.retrieve(item.question, (), opts)
        judged = answerer.judge(asked, opts)
        answerable = bool(item.relevant)
        sentences = len(judged.composed.sentences)
        out.append(Labelled(group, asked.question, answerable, judged.signals, sentences))
    return out


def _matrix(rows: Sequence[Labelled]) -> tuple[Matrix, Matrix, Matrix]:
    """Features, labels (1 = answerable) and weights: each (group, answerable) weighs the same."""
    x = np.array([r.signals.features() for r in rows], dtype=np.float64)
    y = np.array([float(r.answerable) for r in rows])
    groups = Counter((r.group, r.answerable) for r in rows)
    w = np.array([1.0 / groups[(r.group, r.answerable)] for r in rows])
    return x, y, w * len(rows) / w.sum()


def fit(rows: Sequence[Labelled], c: float = C, bags: int = BAGS) -> Answerability:
    """The model fitted on ``rows`` (regularised by ``c``), as weights of the raw signals, and
    its threshold: each the middle of ``bags`` fits on resamples of ``rows`` (bootstrap within
    each set's answerable and unanswerable questions; ``bags=0`` fits ``rows`` once).

    One fit's threshold is the one that minimises its training errors, a step function of the
    probabilities: it jumps. Before bagging, one signal of one question (found 0.75 -> 1.0)
    moved the threshold fitted without Northwind's near misses so that they went from refused
    0.409 to 0.667; fitted on resamples and taken at their median, the two recordings gave
    figures within one question of each other at every regularisation tried
    (bench/README.md)."""
    x, y, w = _matrix(rows)
    if len(set(y)) < 2:
        raise ValueError("calibration needs answerable and unanswerable questions")
    if not bags:
        return _fit_once(x, y, w, c)
    strata: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        strata[(r.group, r.answerable)].append(i)
    draw = np.random.default_rng(SEED)
    fits = []
    for _ in range(bags):
        drawn = np.concatenate([draw.choice(members, len(members)) for members in strata.values()])
        fits.append(_fit_once(x[drawn], y[drawn], w[drawn], c))
    weights = np.mean([f.weights for f in fits], axis=0)
    return Answerability(
        tuple(map(float, weights)),
        float(np.mean([f.bias for f in fits])),
        float(np.median([f.threshold for f in fits])),
    )


def _fit_once(x: Matrix, y: Matrix, w: Matrix, c: float) -> Answerability:
    """One logistic fit, and the threshold that minimises its weighted training errors."""
    weights, bias = logistic.fit(x, y, w, c)
    probabilities = logistic.probabilities(x, weights, bias)
    cost = w * np.where(y == 1, REFUSAL_COST, 1.0)
    candidates = np.unique(np.round(probabilities, 4))
    errors = [float(np.sum(cost * ((probabilities >= t) != (y == 1)))) for t in candidates]
    threshold = float(candidates[int(np.argmin(errors))])
    return Answerability(tuple(map(float, weights)), bias, threshold)


def decided(model: Answerability, rows: Sequence[Labelled]) -> list[bool]:
    """Whether ``model`` answers each row (no sentence found is always a refusal)."""
    return [r.sentences > 0 and model.answers(r.signals) for r in rows]


def folds(rows: Sequence[Labelled], k: int, seed: int) -> list[list[int]]:
    """``k`` folds of row indices, each (group, answerable) stratum dealt out evenly."""
    strata: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        strata[(r.group, r.answerable)].append(i)
    shuffle = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    turn = 0
    for key in sorted(strata):
        members = strata[key]
        shuffle.shuffle(members)
        for i in members:
            out[turn % k].append(i)
            turn += 1
    return out


def kind(row: Labelled) -> str:
    """The kind of question ``row`` is: "answerable" or "unanswerable", as reports name it."""
    return "answerable" if row.answerable else "unanswerable"


def rates(rows: Sequence[Labelled], answered: Sequence[bool]) -> dict[str, dict[str, Any]]:
    """Refusal rates of answerable and unanswerable questions per group, language and all."""
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row, said in zip(rows, answered, strict=True):
        language = "ja" if row.signals.japanese else "en"
        for key in (row.group, language, "all"):
            tally[key][kind(row)][0] += not said
            tally[key][kind(row)][1] += 1
    return {
        key: {
            f"{kind}_refused": {"rate": round(refused / n, 3), "refused": refused, "of": n}
            for kind, (refused, n) in sorted(kinds.items())
        }
        for key, kinds in tally.items()
    }


def cross_validated(rows: Sequence[Labelled], k: int, seed: int) -> list[bool]:
    """Each question decided by the model fitted on the other folds."""
    answered = [False] * len(rows)
    split = folds(rows, k, seed)
    for held in split:
        inside = set(held)
        model = fit([r for i, r in enumerate(rows) if i not in inside])
        for i, said in zip(held, decided(model, [rows[i] for i in held]), strict=True):
            answered[i] = said
    return answered


def out_of_fold(
    rows: Sequence[Labelled], k: int = FOLDS, repeats: int = REPEATS
) -> dict[str, dict[str, Any]]:
    """``rates`` of ``repeats`` cross-validations: each rate their mean, with the lowest and
    highest beside it (one split alone moves a rate by a few questions)."""
    runs = [rates(rows, cross_validated(rows, k, SEED + n)) for n in range(repeats)]
    report: dict[str, dict[str, Any]] = {}
    for key, kinds in runs[0].items():
        report[key] = {}
        for kind, first in kinds.items():
            values = [run[key][kind]["rate"] for run in runs]
            report[key][kind] = {
                "rate": round(float(np.mean(values)), 3),
                "lowest": min(values),
                "highest": max(values),
                "of": first["of"],
            }
    return report


def held_out_groups(rows: Sequence[Labelled], c: float = C) -> dict[str, Any]:
    """Each group decided by a model fitted on the other groups only (leave one set out)."""
    out = {}
    for name in sorted({r.group for r in rows}):
        train = [r for r in rows if r.group != name]
        test = [r for r in rows if r.group == name]
        if len({r.answerable for r in train}) < 2:
            continue
        out[name] = rates(test, decided(fit(train, c), test))[name]
    return out


def cost(figures: dict[str, Any]) -> float:
    """One set's errors as a single figure: its answerable questions refused (each costing
    ``REFUSAL_COST``) plus its unanswerable ones answered, as rates."""
    out = 0.0
    if "answerable_refused" in figures:
        out += REFUSAL_COST * figures["answerable_refused"]["rate"]
    if "unanswerable_refused" in figures:
        out += 1.0 - figures["unanswerable_refused"]["rate"]
    return out


def one_question(figures: dict[str, Any]) -> float:
    """What one question of a set moves its ``cost`` by at most: one answerable question
    refused (``REFUSAL_COST`` over their number) or one unanswerable one answered. Costs
    closer than this differ by less than a question."""
    step = 0.0
    if "answerable_refused" in figures:
        step = max(step, REFUSAL_COST / figures["answerable_refused"]["of"])
    if "unanswerable_refused" in figures:
        step = max(step, 1.0 / figures["unanswerable_refused"]["of"])
    return step


def worst(report: dict[str, Any]) -> dict[str, Any]:
    """The held-out sets that fare worst: most answerable questions refused, fewest
    unanswerable ones refused, and the highest ``cost``."""
    out: dict[str, Any] = {}
    answerable = {k: v for k, v in report.items() if "answerable_refused" in v}
    unanswerable = {k: v for k, v in report.items() if "unanswerable_refused" in v}
    if answerable:
        name = max(answerable, key=lambda k: answerable[k]["answerable_refused"]["rate"])
        out["answerable_refused"] = {"set": name, **answerable[name]["answerable_refused"]}
    if unanswerable:
        name = min(unanswerable, key=lambda k: unanswerable[k]["unanswerable_refused"]["rate"])
        out["unanswerable_refused"] = {"set": name, **unanswerable[name]["unanswerable_refused"]}
    if report:
        name = max(report, key=lambda k: cost(report[k]))
        out["cost"] = {"set": name, "cost": round(cost(report[name]), 3)}
    return out


def describe(report: dict[str, dict[str, Any]]) -> list[str]:
    """One line per group, language and all: the refusal rates, as the commands print them."""
    lines = []
    for key, kinds in report.items():
        cells = []
        for kind, v in kinds.items():
            spread = f" [{v['lowest']:.3f}-{v['highest']:.3f}]" if "lowest" in v else ""
            cells.append(f"{kind} {v['rate']:.3f}{spread} of {v['of']}")
        lines.append(f"{key:<16} " + ", ".join(cells))
    return lines
