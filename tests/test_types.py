"""Citations a hit gives for its whole text and for a position in it."""

from __future__ import annotations

import pytest

from yomitoki.types import Hit, Location

SPANNING = Hit(
    chunk_id=1,
    document="plan.pdf",
    location=Location(page=4, page_end=6),
    text="x" * 300,
    score=1.0,
    page_breaks=((100, 5), (200, 6)),
)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(0, "plan.pdf#page=4"), (99, "plan.pdf#page=4"), (100, "plan.pdf#page=5"),
     (199, "plan.pdf#page=5"), (250, "plan.pdf#page=6")],
)  # fmt: skip
def test_citation_at_follows_page_breaks(offset: int, expected: str) -> None:
    assert SPANNING.citation_at(offset) == expected


@pytest.mark.parametrize(
    ("location", "citation"),
    [
        (Location(slide=3), "deck.pptx#slide=3"),
        (Location(sheet="Prices", rows=(2, 9)), "deck.pptx#sheet=Prices"),
        (Location(heading=("Intro",)), "deck.pptx"),
    ],
)
def test_citation_at_without_pages_is_the_hit_citation(location: Location, citation: str) -> None:
    hit = Hit(chunk_id=1, document="deck.pptx", location=location, text="t", score=0.0)
    assert hit.citation_at(0) == hit.citation() == citation


def test_locations_of_a_spanning_hit_name_every_page() -> None:
    assert SPANNING.locations() == [f"plan.pdf#page={p}" for p in (4, 5, 6)]
