"""A learned scorer of "this sentence answers this question", shipped inside the package.

A logistic head over the bundled model's vectors (the question's and the sentence's, multiplied
dimension by dimension: which meanings they share) and a few signals the answerer has anyway:
their cosine, the cosine's distance from the best candidate's, the sentence's IDF-weighted
coverage of the question's words, whether it states the quantity the question asks for (何日,
how many days) or lacks it, and its length. Fitted by ``python -m bench.train_scorer`` on
JSQuAD's validation questions that none of the benchmarks ask (public data, CC BY-SA 4.0),
with numpy at run time. It scores only vectors of the model it was fitted on
(``sentence_scorer.json`` names it); with any other embedder the answerer keeps its word
coverage. Its rating chooses the answer's sentences across languages (where no word is shared)
and is a signal of answerability everywhere; within a language the words chose better
(bench/results/scorer_uses_choosing_everywhere.json).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from yomitoki.backends.base import Embedder
from yomitoki.rag.extractive import Evidence, Rescore, aside
from yomitoki.rag.quantities import Unit, stated, unit_asked
from yomitoki.text import template

SHIPPED = "sentence_scorer.json"
#: The signals beside the vectors' product, in the order of the weights.
SCALARS = ("cosine", "behind_best", "coverage", "states", "lacks", "log_chars")

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Candidates:
    """The sentences to score for one question, with what the answerer knows of each."""

    question: npt.NDArray[np.float32]
    sentences: npt.NDArray[np.float32]
    coverage: Sequence[float]
    #: Whether each states the quantity asked for; None when the question asks for none.
    states: Sequence[bool] | None
    chars: Sequence[int]

    @classmethod
    def of(
        cls,
        question: npt.NDArray[np.float32],
        sentences: npt.NDArray[np.float32],
        pool: Sequence[Evidence],
        unit: Unit | None,
    ) -> Candidates:
        """The candidates of a pool of sentences (``sentences`` their vectors, in order),
        for a question asking for a quantity in ``unit`` (None: none)."""
        return cls(
            question=question,
            sentences=sentences,
            coverage=[e.coverage for e in pool],
            states=None  # a number left blank states it as much (「　日与える」)
            if unit is None
            else [stated(template.as_filled(e.text), unit) is not None for e in pool],
            chars=[len(e.text) for e in pool],
        )


def features(c: Candidates) -> Floats:
    """One row per sentence: the vectors' product, then ``SCALARS``."""
    question = c.question.astype(np.float64)
    sentences = c.sentences.astype(np.float64)
    product = sentences * question
    cosine = product.sum(axis=1)
    asked = c.states is not None
    states = np.array(c.states if c.states is not None else [False] * len(cosine), dtype=float)
    scalars = np.column_stack(
        [
            cosine,
            cosine - cosine.max(initial=0.0) if len(cosine) else cosine,
            np.asarray(c.coverage, dtype=float),
            states,
            (1.0 - states) if asked else np.zeros_like(states),
            np.log1p(np.asarray(c.chars, dtype=float)),
        ]
    )
    out: Floats = np.hstack([product, scalars])
    return out


@dataclass(frozen=True, slots=True)
class SentenceScorer:
    """The fitted head: weights over ``features``, for vectors of ``model_id``."""

    model_id: str
    weights: Floats
    bias: float

    def probabilities(self, candidates: Candidates) -> Floats:
        """How likely each sentence answers the question, 0..1."""
        if not len(candidates.sentences):
            return np.zeros(0)
        margin = np.clip(features(candidates) @ self.weights + self.bias, -50.0, 50.0)
        out: Floats = 1.0 / (1.0 + np.exp(-margin))
        return out

    def to_json(self, **extra: object) -> str:
        """The file ``load`` reads."""
        dimensions = len(self.weights) - len(SCALARS)
        data = {
            "model_id": self.model_id,
            "scalars": dict(zip(SCALARS, self.weights[dimensions:].tolist(), strict=True)),
            "product": [round(float(w), 6) for w in self.weights[:dimensions]],
            "bias": self.bias,
            **extra,
        }
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=1)
def load() -> SentenceScorer | None:
    """The scorer shipped with yomitoki; None when there is none (not yet trained)."""
    source = resources.files(__package__).joinpath(SHIPPED)
    if not source.is_file():
        return None
    data = json.loads(source.read_text("utf-8"))
    weights = [*data["product"], *(data["scalars"][name] for name in SCALARS)]
    if not all(math.isfinite(w) for w in weights):
        raise ValueError(f"{SHIPPED}: weights must be finite")
    model = str(data["model_id"])
    return SentenceScorer(model, np.array(weights, dtype=float), float(data["bias"]))


def for_model(model_id: str) -> SentenceScorer | None:
    """The shipped scorer when it was fitted on ``model_id``'s vectors, else None."""
    scorer = load()
    return scorer if scorer is not None and scorer.model_id == model_id else None


#: Sentences the learned scorer reads per answer: the best of the pool by word coverage.
MAX_SCORED = 40


class Remembering:
    """An embedder's vectors for one answer, each text embedded once however often it is asked
    for (the cross-language path and the scorer read the same sentences and question)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._seen: dict[str, npt.NDArray[np.float32]] = {}
        self._queries: dict[str, npt.NDArray[np.float32]] = {}

    def query(self, text: str) -> npt.NDArray[np.float32]:
        """The question's vector."""
        if text not in self._queries:
            self._queries[text] = self.embedder.embed_query(text)
        return self._queries[text]

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if missing:
            rows = self.embedder.embed_passages(missing)
            self._seen.update(zip(missing, rows, strict=True))
        return np.array([self._seen[t] for t in texts], dtype=np.float32)


def rescorer(
    question: str, vectors: Remembering, head: SentenceScorer, chooses: bool = True
) -> Rescore:
    """The ``extractive.Rescore`` of ``question``: the best ``MAX_SCORED`` sentences of a pool,
    each given ``head``'s probability; when it ``chooses``, that probability (less what it
    loses for where it is: ``extractive.aside``) becomes the sentence's score, else the score
    stays the words' own."""
    unit = unit_asked(question)

    def rescore(pool: list[Evidence]) -> list[Evidence]:
        best = sorted(pool, key=lambda e: e.score, reverse=True)[:MAX_SCORED]
        if not best:
            return best
        sentences = vectors.passages([e.text for e in best])
        candidates = Candidates.of(vectors.query(question), sentences, best, unit)
        probabilities = head.probabilities(candidates)
        return [
            dataclasses.replace(
                e,
                learned=float(p),
                score=float(p) - aside(e) if chooses else e.score,
            )
            for e, p in zip(best, probabilities, strict=True)
        ]

    return rescore
