import pytest

from yomitoki.evals.metrics import (
    contains_answer,
    first_relevant_rank,
    matches,
    summarize,
)
from yomitoki.index.fusion import min_max, reciprocal_rank_fusion, weighted_score_fusion
from yomitoki.text.citations import find


@pytest.mark.parametrize(
    ("rankings", "expected_order"),
    [
        ({"a": [1, 2, 3], "b": [3, 2, 1]}, [1, 3, 2]),  # 1 and 3 tie; first seen wins; 2 is last
        ({"a": [1, 2], "b": [2, 1]}, [1, 2]),
        ({"a": [5, 6], "b": [6]}, [6, 5]),  # found by both legs beats rank 1 of one leg
        ({"a": [], "b": [7]}, [7]),
        ({"a": [], "b": []}, []),
        ({"a": [1, 1, 2]}, [1, 2]),  # a duplicate within one leg counts once
    ],
)
def test_rrf_order(rankings: dict[str, list[int]], expected_order: list[int]) -> None:
    assert [item for item, _ in reciprocal_rank_fusion(rankings, k=60)] == expected_order


def test_rrf_scores_follow_the_formula() -> None:
    fused = dict(reciprocal_rank_fusion({"a": [1, 2], "b": [2]}, k=60))
    assert fused[1] == pytest.approx(1 / 61)
    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)
    weighted = dict(reciprocal_rank_fusion({"a": [1], "b": [1]}, k=10, weights={"a": 2.0}))
    assert weighted[1] == pytest.approx(2 / 11 + 1 / 11)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([], []), ([3.0], [1.0]), ([2.0, 2.0], [1.0, 1.0]), ([1.0, 3.0, 2.0], [0.0, 1.0, 0.5])],
)
def test_min_max(scores: list[float], expected: list[float]) -> None:
    assert min_max(scores) == expected


def test_weighted_score_fusion() -> None:
    fused = weighted_score_fusion(
        {"keyword": [(1, 10.0), (2, 5.0)], "vector": [(2, 0.9), (3, 0.1)]},
        {"keyword": 0.3, "vector": 0.7},
    )
    assert [item for item, _ in fused] == [2, 1, 3]
    assert dict(fused)[2] == pytest.approx(0.7)


@pytest.mark.parametrize(
    ("truth", "expected"),
    [
        (
            "Yes. [Northwind_Standard_Benefits_Details.pdf#page=7]",
            ["Northwind_Standard_Benefits_Details.pdf#page=7"],
        ),
        ("[a.pdf#page=1][b.pdf#page=2] and [a.pdf#page=1]", ["a.pdf#page=1", "b.pdf#page=2"]),
        ("See [Zava_Company_Overview.md].", ["Zava_Company_Overview.md"]),
        ("規程による。[就業規則.pdf#page=31]", ["就業規則.pdf#page=31"]),
        ("no citation [here] or [x]", []),
        ("", []),
    ],
)
def test_citations_in_truth(truth: str, expected: list[str]) -> None:
    assert find(truth) == expected


@pytest.mark.parametrize(
    ("relevant", "hit", "expected"),
    [
        ("a.pdf#page=7", "a.pdf#page=7", True),
        ("a.pdf#page=7", "docs/A.PDF#page=7", True),  # folders and case do not matter
        ("a.pdf#page=7", "a.pdf#page=8", False),
        ("a.pdf#page=7", "b.pdf#page=7", False),
        ("a000-p001.txt", "a000-p001.txt", True),
        ("a.pdf", "a.pdf#page=3", True),  # no anchor: any location in the file
        ("a.pdf#page=1", "a.pdf", False),
    ],
)
def test_matches(relevant: str, hit: str, expected: bool) -> None:
    assert matches(relevant, hit) is expected


@pytest.mark.parametrize(
    ("relevant", "hits", "expected"),
    [
        (["a.pdf#page=2"], [], None),  # no hits
        (["a.pdf#page=2"], [["a.pdf#page=1"], ["a.pdf#page=2"]], 2),
        (["a.pdf#page=2"], [["a.pdf#page=2"], ["a.pdf#page=2"]], 1),  # duplicate pages
        (["a.pdf#page=9", "b.pdf#page=1"], [["c.md"], ["b.pdf#page=1"]], 2),  # several citations
        (["a.pdf#page=10"], [["a.pdf#page=9", "a.pdf#page=10"]], 1),  # a chunk across pages
        (["a.pdf#page=3"], [["a.pdf#page=4"]], None),
    ],
)
def test_first_relevant_rank(
    relevant: list[str], hits: list[list[str]], expected: int | None
) -> None:
    assert first_relevant_rank(relevant, hits) == expected


def test_summarize() -> None:
    summary = summarize([1, 3, None, 6])
    assert summary.questions == 4
    assert summary.hit_at == {1: 0.25, 3: 0.5, 5: 0.5, 10: 0.75}
    assert summary.mrr == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)
    empty = summarize([])
    assert empty.questions == 0 and empty.mrr == 0.0 and empty.hit_at[5] == 0.0


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("完了したのは２００６年である。", ["2006年"], True),  # full-width digits
        ("団結権、 団体交渉権、団体行動権", ["団結権、団体交渉権、団体行動権"], True),  # spaces
        ("The limit is 150 Dollars.", ["150 dollars"], True),  # case and spacing
        ("The limit is 150 dollars.", ["175 dollars", "150 dollars"], True),  # any of them
        ("The limit is 150 dollars.", ["175 dollars"], False),
        ("anything", [], False),
        ("anything", ["  "], False),  # a blank reference never matches
    ],
)
def test_contains_answer(text: str, answers: list[str], expected: bool) -> None:
    assert contains_answer(text, answers) is expected
