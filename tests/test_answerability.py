"""The answerability decision: its signals, its model, and the calibration files it reads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import answer_options, answerer, open_store, searcher
from tests.options import calibration as weighing
from yomitoki.errors import ConfigError
from yomitoki.evals import calibration
from yomitoki.evals.calibration import Labelled
from yomitoki.rag import answerability
from yomitoki.rag.answerability import FEATURES, Signals, signals
from yomitoki.rag.extractive import read
from yomitoki.types import Hit, LegScore, Location, Mode


def hit(text: str, legs: dict[str, LegScore]) -> Hit:
    return Hit(1, "a.md", Location(), text, 1.0, legs, None, None)


def flat_idf(terms: list[str]) -> dict[str, float]:
    """Every word as rare as every other, except "plan", which is common."""
    return {t: (0.5 if t == "plan" else 2.0) for t in terms}


BOTH = {"keyword": LegScore(1, 3.0), "vector": LegScore(1, 0.91)}
VECTOR = {"vector": LegScore(2, 0.87)}


def test_signals_of_passages_that_hold_every_word() -> None:
    hits = [hit("The plan covers hearing aids every three years.", BOTH)]
    found = signals(
        read("Does the plan cover hearing aids?", hits), hits, 0.8, flat_idf, "en", False
    )
    assert found.found == pytest.approx(1.0) and found.missing == 0.0
    assert found.similarity == pytest.approx(0.91) and found.agreement == 1.0
    assert found.coverage == 0.8 and found.japanese == 0.0 and found.across == 0.0


def test_the_rarest_missing_word_and_the_share_found() -> None:
    far = {"keyword": LegScore(25, 0.4), "vector": LegScore(3, 0.88)}
    hits = [
        hit("The plan covers hearing aids.", BOTH),
        hit("Parking costs ten dollars.", VECTOR),
        hit("Parking is on level two.", far),
        hit("Dental care is covered.", BOTH),
    ]
    found = signals(
        read("Does the plan cover hearing dogs?", hits), hits, 0.5, flat_idf, "en", False
    )
    # plan 0.5, cover 2, hear 2, dog 2: the dog is missing, as rare as the rarest word.
    assert found.missing == pytest.approx(1.0)
    assert found.found == pytest.approx(4.5 / 6.5)
    # Both legs rank the first and the last among their best ten; the third only one does.
    assert found.agreement == pytest.approx(0.5) and found.similarity == pytest.approx(0.91)
    common_missing = signals(
        read("Which plan covers hearing?", [hits[1]]), [hits[1]], 0.1, flat_idf, "en", False
    )
    assert common_missing.missing == pytest.approx(1.0)  # cover and hear are missing too
    only_plan = signals(
        read("Is there a plan for parking?", hits[1:]), hits[1:], 0.1, flat_idf, "en", False
    )
    assert only_plan.missing == pytest.approx(0.5 / 2.0)  # only the common word is missing


def test_the_words_that_ask_are_not_looked_for() -> None:
    hits = [hit("年次有給休暇は10日付与する。", VECTOR)]
    found = signals(read("年次有給休暇は何日付与される？", hits), hits, 0.9, flat_idf, "ja", False)
    assert found.missing == 0.0 and found.found == pytest.approx(1.0)
    assert found.japanese == 1.0 and found.agreement == 0.0


def test_no_passages_no_signals() -> None:
    found = signals(read("What is the refund policy?", []), [], 0.0, flat_idf, "en", False)
    assert (found.similarity, found.agreement, found.found) == (0.0, 0.0, 0.0)
    assert found.missing == pytest.approx(1.0)


def test_the_model_is_a_logistic_over_the_named_features() -> None:
    model = weighing(bias=-1.0, threshold=0.5, coverage=2.0, answers_across=4.0)
    same = Signals(0.5, 0.9, 0.9, 1.0, 0.0, 1.0, 0.0, 0.0)
    across = Signals(0.5, 0.9, 0.9, 1.0, 0.0, 1.0, 1.0, 1.0)
    assert model.probability(same) == pytest.approx(0.5)
    # Across languages the words' coverage says nothing; the scorer's own weight there does.
    assert model.probability(across) == pytest.approx(1 / (1 + 2.718281828**-2.6))
    assert model.answers(same) and not model.answers(same, threshold=0.6)
    # The question's language and the cosine are reported, not weighed.
    assert model.probability(Signals(0.5, 0.2, 0.9, 1.0, 0.0, 0.0, 1.0, 0.0)) == pytest.approx(0.5)


def test_a_quantity_asked_and_not_stated_weighs_within_a_language() -> None:
    """A question asking how many days, answered by sentences stating no number of days; the
    rarest word missing is reported, not weighed (answerable questions' framing words are as often
    nowhere)."""
    model = weighing(bias=0.0, threshold=0.5, unstated=-2.0)
    same = Signals(0.5, 0.9, 0.9, 1.0, 0.0, 1.0, 0.0, 0.0)
    across = dataclasses.replace(same, across=1.0)
    assert model.probability(dataclasses.replace(same, unstated=1.0)) == pytest.approx(
        1 / (1 + 2.718281828**2.0)
    )
    # Across languages the question's patterns do not read the passages' language.
    assert model.probability(dataclasses.replace(across, unstated=1.0)) == pytest.approx(0.5)
    assert model.probability(dataclasses.replace(same, missing=1.0)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("passage", "unstated"),
    [
        ("New employees get 10 days of paid leave in their first year.", 0.0),
        ("New employees get paid leave in their first year, as the law requires.", 1.0),
    ],
)
def test_the_answerer_sees_whether_its_sentences_state_the_quantity_asked(
    tmp_path: Path, passage: str, unstated: float
) -> None:
    index = builders.indexed(tmp_path, {"leave.md": f"# Leave\n\n{passage}\n"})
    store = open_store(index)
    try:
        asker = answerer(searcher(store, CountingEmbedder()))
        options = answer_options(mode=Mode.KEYWORD)
        for question in ("How many days of paid leave do new employees get?", "Paid leave?"):
            asked = asker.retrieve(question, (), options)
            assert [h.document for h in asked.hits] == ["leave.md"]
            # A question asking for no quantity has none unstated.
            expected = unstated if question.startswith("How many") else 0.0
            assert asker.judge(asked, options).signals.unstated == expected
    finally:
        store.close()


def test_across_languages_the_words_count_when_read_through_their_terms() -> None:
    """An English question over Japanese passages: the share of its words the passages write
    in Japanese (rag.crosslingual), and the best sentence's share, are weighed as the share
    found and the coverage are within a language; a question read through no terms has no
    such reading (its coverage is a cosine) and they weigh nothing."""
    model = weighing(bias=-1.0, threshold=0.5, found=2.0, coverage=3.0)
    unread = Signals(0.5, 0.8, 0.0, found=1.0, missing=0.0, agreement=0.0, japanese=0.0, across=1.0)
    read = dataclasses.replace(unread, crossed=1.0)
    assert model.probability(read) == pytest.approx(1 / (1 + 2.718281828**-2.5))
    assert model.probability(unread) == pytest.approx(1 / (1 + 2.718281828**1.0))


def test_a_calibration_file_round_trips_and_the_shipped_one_loads(tmp_path: Path) -> None:
    model = weighing(bias=-3.0, threshold=0.4, coverage=6.0, unstated=-2.0)
    path = tmp_path / "mine.json"
    path.write_text(model.to_json(fitted="by hand"))
    assert answerability.load(path) == model
    shipped = answerability.load()
    assert len(shipped.weights) == len(FEATURES) and 0.0 < shipped.threshold < 1.0
    data = json.loads((Path(answerability.__file__).parent / answerability.SHIPPED).read_text())
    assert "out_of_fold" in data  # the figures it was judged by travel with it


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"features": {"coverage": 1}, "bias": 0, "threshold": 0.5}',
        json.dumps({"features": dict.fromkeys(FEATURES, 1.0), "bias": "x", "threshold": 0.5}),
        json.dumps({"features": dict.fromkeys(FEATURES, 1.0), "threshold": 0.5}),
    ],
)
def test_a_bad_calibration_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="answerability calibration"):
        answerability.load(path)
    with pytest.raises(ConfigError, match="answerability calibration"):
        answerability.load(tmp_path / "absent.json")


def test_the_shipped_calibration_refuses_and_answers_on_real_signals() -> None:
    """Signals as the bundled model gives them on Northwind: a passage that answers, and one
    close in meaning that lacks the question's key word (the shipped weights are fitted on
    such questions; their out-of-fold figures are in bench/results/answerability.json)."""
    shipped = answerability.load()
    answers = Signals(0.75, 0.9, 0.8, 0.95, 0.0, 0.6, 0.0, 0.0)
    beside = Signals(0.3, 0.83, 0.1, 0.4, 1.0, 0.2, 0.0, 0.0)
    assert shipped.answers(answers) and not shipped.answers(beside)


def test_the_shipped_calibration_refuses_a_plan_no_passage_names() -> None:
    """The signals of "What is the annual deductible for the Northwind Gold plan?" over the
    Standard and Plus plans' pages (bench/results/answerability_signals.json): half its words
    found, a sentence the scorer likes; refused for "Gold", answered without it."""
    gold = Signals(
        coverage=0.492, similarity=0.868, answers=0.955, found=0.492, missing=1.0,
        agreement=0.8, japanese=0.0, across=0.0, unnamed=1.0,
    )  # fmt: skip
    shipped = answerability.load()
    assert not shipped.answers(gold)
    assert shipped.answers(dataclasses.replace(gold, unnamed=0.0))


# -- fitting: yomitoki.evals.calibration ------------------------------------------------------


def labelled(n: int, seed: int = 3) -> list[Labelled]:
    """Questions whose best sentence the scorer rates high (answerable) or low (not), with
    noise, and word coverage that overlaps between the two."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        answerable = i % 3 != 0
        group = "a" if i % 2 else "b"
        answers = rng.normal(0.85 if answerable else 0.35, 0.05)
        coverage = rng.normal(0.7 if answerable else 0.3, 0.2)
        signals = Signals(
            coverage, 0.85, answers, coverage, 1 - coverage, 0.5, float(i % 4 == 0), 0.0
        )
        rows.append(Labelled(group, f"q{i}", answerable, signals, 3))
    return rows


def test_the_fitted_model_separates_what_the_signals_separate() -> None:
    rows = labelled(240)
    model = calibration.fit(rows)
    said = calibration.decided(model, rows)
    wrong = [answers != r.answerable for answers, r in zip(said, rows, strict=True)]
    assert sum(wrong) <= 1  # of 240: the middle of fits on resamples, not the best in sample
    # Its weights are the raw signals' (the scorer's tenths matter), not the scaled ones.
    assert model.weights[FEATURES.index("answers")] > 10
    report = calibration.out_of_fold(rows, k=4, repeats=2)
    assert report["all"]["answerable_refused"]["rate"] < 0.05
    assert report["all"]["unanswerable_refused"]["rate"] > 0.95
    assert report["all"]["answerable_refused"]["of"] == 160


def test_one_questions_signal_barely_moves_the_bagged_threshold() -> None:
    """One fit's threshold minimises its training errors and jumps when one question moves;
    the middle of fits on resamples does not."""
    noise = np.random.default_rng(1)
    rows = []
    for r in labelled(150, seed=11):
        answers = r.signals.answers + noise.normal(0, 0.25)
        rows.append(dataclasses.replace(r, signals=dataclasses.replace(r.signals, answers=answers)))

    def moves(bags: int) -> list[float]:
        base = calibration.fit(rows, bags=bags).threshold
        out = []
        for i in range(0, len(rows), 10):
            signals = dataclasses.replace(rows[i].signals, answers=rows[i].signals.answers + 0.1)
            moved = [*rows[:i], dataclasses.replace(rows[i], signals=signals), *rows[i + 1 :]]
            out.append(abs(calibration.fit(moved, bags=bags).threshold - base))
        return out

    assert max(moves(bags=0)) > 0.2  # one fit: a question moved by 0.1 moves it by a fifth
    assert max(moves(bags=calibration.BAGS)) < 0.1


def test_a_question_with_nothing_to_quote_is_always_refused() -> None:
    rows = labelled(60)
    model = calibration.fit(rows)
    empty = dataclasses.replace(rows[1], sentences=0)
    assert rows[1].answerable and calibration.decided(model, [rows[1], empty]) == [True, False]


def test_folds_partition_the_questions_and_keep_each_stratum_even() -> None:
    rows = labelled(103)
    split = calibration.folds(rows, 5, seed=1)
    assert sorted(i for fold in split for i in fold) == list(range(103))
    for key in {(r.group, r.answerable) for r in rows}:
        counts = [sum((rows[i].group, rows[i].answerable) == key for i in fold) for fold in split]
        assert max(counts) - min(counts) <= 1
    assert calibration.folds(rows, 5, seed=1) == split != calibration.folds(rows, 5, seed=2)


def test_fitting_needs_both_kinds_of_question() -> None:
    rows = [r for r in labelled(30) if r.answerable]
    with pytest.raises(ValueError, match="answerable and unanswerable"):
        calibration.fit(rows)


def test_each_set_held_out_is_decided_by_the_others_and_the_worst_is_named() -> None:
    rows = labelled(120)
    # A third set whose answerable questions the scorer rates like the others' unanswerable.
    rows += [
        dataclasses.replace(r, group="c", signals=dataclasses.replace(r.signals, answers=0.3))
        for r in labelled(30, seed=5)
        if r.answerable
    ]
    report = calibration.held_out_groups(rows)
    assert set(report) == {"a", "b", "c"}
    assert report["c"]["answerable_refused"]["rate"] > 0.9  # nothing like it was seen
    assert "unanswerable_refused" not in report["c"]
    assert report["a"]["answerable_refused"]["rate"] < 0.1
    worst = calibration.worst(report)
    assert worst["answerable_refused"]["set"] == "c" == worst["cost"]["set"]
    assert worst["cost"]["cost"] == pytest.approx(
        calibration.REFUSAL_COST * report["c"]["answerable_refused"]["rate"], abs=1e-3
    )


def test_one_question_of_a_set_is_the_most_it_moves_the_sets_cost() -> None:
    """Held-out costs closer than this are a tie when the regularisation is chosen."""
    figures = {
        "answerable_refused": {"rate": 0.25, "refused": 7, "of": 28},
        "unanswerable_refused": {"rate": 0.783, "refused": 18, "of": 23},
    }
    step = calibration.one_question(figures)
    assert step == pytest.approx(calibration.REFUSAL_COST / 28)
    one_more = {**figures, "answerable_refused": {"rate": 8 / 28, "refused": 8, "of": 28}}
    assert calibration.cost(one_more) - calibration.cost(figures) == pytest.approx(step)
    only_unanswerable = {"unanswerable_refused": {"rate": 0.5, "refused": 33, "of": 66}}
    assert calibration.one_question(only_unanswerable) == pytest.approx(1 / 66)


def test_the_shipped_model_decides_alike_in_either_language_on_the_same_signals() -> None:
    """The question's language is reported, not weighed: a per-language offset learned from
    the sets at hand did not carry over to a set held out (bench/results/answerability.json)."""
    shipped = answerability.load()
    english = Signals(0.6, 0.88, 0.7, 0.8, 0.3, 0.5, 0.0, 0.0)
    japanese = dataclasses.replace(english, japanese=1.0, similarity=0.8)
    assert shipped.probability(english) == shipped.probability(japanese)
