"""Do the retrieved passages answer the question? One decision from every signal there is.

The offline answerer says "I don't know" when they do not. No single signal decides it well:
a passage close in meaning may be about something else, and a sentence holding most of the
question's words may lack the one word that matters ("the company's *share price*"). So the
signals below are combined by a logistic model, fitted with k-fold cross-validation on the
labelled questions of bench/data and the shared sets (``python -m bench.calibrate``), which
writes the weights and the threshold to ``answerability.json`` beside this module. The
figures it reports are out of fold only.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from yomitoki.errors import ConfigError
from yomitoki.rag.extractive import Reading
from yomitoki.text.language import Language
from yomitoki.types import Hit

Idf = Callable[[list[str]], dict[str, float]]
SHIPPED = "answerability.json"
#: A passage both legs rank this high is one they agree on (hybrid search scores every
#: candidate in both legs, so being in both says nothing by itself).
AGREEING_RANK = 10


@dataclass(frozen=True, slots=True)
class Signals:
    """What the retrieved passages say about whether they answer, each about 0..1."""

    #: The best sentence's IDF-weighted coverage of the question's words (across languages:
    #: the best sentence's share of the question's words it writes in its language, or
    #: without such words its cosine similarity to the question).
    coverage: float
    #: The best passage's cosine similarity to the question (0 without a vector leg).
    similarity: float
    #: The learned sentence scorer's best probability that a sentence answers (``rag.scorer``;
    #: 0 where it does not score: an embedder other than the one it was fitted on).
    answers: float
    #: The IDF-weighted share of the question's words found anywhere in the passages (a
    #: misspelled word counts as the word it misspells: ``text.spelling``).
    found: float
    #: The rarest question word no passage holds, as a share of the rarest word's IDF:
    #: 1.0 when the question's most specific word is nowhere ("share price"), 0 when none.
    #: Reported, not weighed: answerable questions' framing words ("impact", "role") are as
    #: often nowhere, and its weight's sign turned with each recording.
    missing: float
    #: The share of the passages that both the keyword and the vector leg rank among their
    #: best ``AGREEING_RANK``.
    agreement: float
    #: The question is Japanese.
    japanese: float
    #: Every passage is in the other language than the question.
    across: float
    #: 1 when ``found`` was read across languages, through the question's words in the
    #: documents' language (``rag.crosslingual``: English over Japanese, Japanese over English).
    crossed: float = 0.0
    #: 1 when the question asks for a quantity of a kind ("how many days", 何日, "what is the
    #: deductible": money) and none of the answer's sentences states one, within a language.
    unstated: float = 0.0
    #: 1 when the question writes a name no passage writes ("the Northwind *Gold* plan";
    #: ``rag.names``: across languages, a Japanese question's names in Latin letters).
    unnamed: float = 0.0

    def features(self) -> list[float]:
        """The model's inputs, chosen to carry over to question sets it was not fitted on.

        The word signals (coverage, found) and a quantity asked and not stated
        (``unstated``: the patterns that read it are the question's language's) count within
        a language; the rarest word missing is reported, not weighed, but a name no passage
        writes (``unnamed``: "Gold" of "the Northwind Gold plan") counts wherever the
        passages would write it as the question does (``rag.names``). Across languages
        coverage and found count when the question's words were read in the documents'
        language (``crossed``): the best sentence's share of them and the passages' (held
        out, 2026-12-07, the model rules asked in English had 0.321 of their answerable
        questions refused with found alone, 0.143 with coverage too). The learned scorer's
        probability counts in both, with its own weight across languages, and being across
        shifts the whole. The cosine, the question's language and the legs' agreement are
        reported, not weighed: each set has its own scale of them, and weighed they let the
        model learn one offset per set. Holding out whole sets (``bench.calibrate``,
        2026-12-06, same recorded signals) English over Japanese went from refusing every
        answerable question (1.00) to 0.54, and Northwind's near misses from being refused
        0.23 to 0.48 (bench/README.md has the figures of the shipped model)."""
        same = 1.0 - self.across
        return [
            self.coverage * max(same, self.crossed),
            self.found * max(same, self.crossed),
            self.unstated * same,
            self.unnamed,
            self.answers,
            self.answers * self.across,
            self.across,
        ]


#: The names of ``Signals.features``, in order, as the calibration file lists them.
FEATURES = ("coverage", "found", "unstated", "unnamed", "answers", "answers_across", "across")


def signals(
    reading: Reading,
    hits: Sequence[Hit],
    coverage: float,
    idf: Idf,
    language: Language,
    across: bool,
    answers: float = 0.0,
    crossed: float | None = None,
    unstated: bool = False,
) -> Signals:
    """The signals for a question (as ``reading`` reads it) answered from ``hits``, whose
    best sentence had ``coverage`` (the answerer's own measure); ``crossed``, across
    languages, is the share of the question's words the passages write in their language;
    ``unstated``, whether the question asks for a quantity the answer's sentences state none
    of."""
    terms = list(reading.terms)
    weights = idf(terms) if terms else {}
    held = reading.known.intersection(terms)
    total = sum(weights.values())
    rarest = max(weights.values(), default=0.0)
    absent = [w for t, w in weights.items() if t not in held]
    similarity = max((h.legs["vector"].score for h in hits if "vector" in h.legs), default=0.0)
    both = sum(
        1
        for h in hits
        if all(leg in h.legs and h.legs[leg].rank <= AGREEING_RANK for leg in ("keyword", "vector"))
    )
    found = (total - sum(absent)) / total if total > 0 else 0.0
    return Signals(
        coverage=coverage,
        similarity=similarity,
        answers=answers,
        found=crossed if across and crossed is not None else found,
        missing=max(absent, default=0.0) / rarest if rarest > 0 else 0.0,
        agreement=both / len(hits) if hits else 0.0,
        japanese=float(language == "ja"),
        across=float(across),
        crossed=float(across and crossed is not None),
        unstated=float(unstated),
        unnamed=float(bool(reading.unnamed)),
    )


@dataclass(frozen=True, slots=True)
class Answerability:
    """A fitted logistic model over ``Signals`` and the probability from which it answers."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, signals: Signals) -> float:
        """How likely the passages answer the question, 0..1."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals.features(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answers(self, signals: Signals, threshold: float | None = None) -> bool:
        """Whether to answer; ``threshold`` overrides the fitted one."""
        floor = self.threshold if threshold is None else threshold
        return self.probability(signals) >= floor

    def to_json(self, **extra: object) -> str:
        """The file ``load`` reads: weights by feature name, bias, threshold, and ``extra``
        (how it was fitted)."""
        data = {
            "features": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "threshold": self.threshold,
            **extra,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=8)
def load(path: Path | None = None) -> Answerability:
    """The calibration in ``path``, or the one shipped with yomitoki."""
    try:
        if path is None:
            text = resources.files(__package__).joinpath(SHIPPED).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        data = json.loads(text)
        named = data["features"]
        if set(named) != set(FEATURES):
            raise ValueError(f"it must weigh exactly {', '.join(FEATURES)}")
        return Answerability(
            weights=tuple(float(named[name]) for name in FEATURES),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"cannot read the answerability calibration {path}: {error}") from None
