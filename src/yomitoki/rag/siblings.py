"""A question that names one of two sibling documents is answered from that one.

Two documents are siblings when their titles say nearly the same thing and differ in a word or
two: "Zava Northwind Health Plus Plan" and "Zava Northwind Health Standard Plan", or "Employee
Handbook 2023" and "Employee Handbook 2024". Their pages read alike, so a search finds both;
but a question that names the one ("What is the copay for Northwind Health Plus?") is not
answered by the other's pages, and quoting them states the other plan's rule as this one's
(of the passages given for the demo's questions naming one Northwind plan, 23 % were the
other plan's: bench/README.md, "Northwind's ceiling"). So the passages of a sibling the
question names against are not given: asked of the plan that lacks it, a benefit only the
other plan has is not answered from the other's pages.

Titles, not a question's words alone, decide: a Wikipedia article a question names in passing
is no sibling of the one it asks about (their titles share no two words), and passages of one
article share its title whole, so none is named against another.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from yomitoki.text.analyzer import content_terms
from yomitoki.types import Hit

#: Sibling titles share at least this many words...
MIN_SHARED = 2
#: ...and at least this many times as many as either adds.
SHARED_PER_ADDED = 2
#: When one is named against, the search reaches this many times as deep for the other
#: passages to take the places its sibling's give up.
DEPTH = 2


def _title_terms(hit: Hit) -> frozenset[str]:
    """The words of ``hit``'s document title (its file name's stem without one)."""
    title = hit.title or PurePosixPath(hit.document).stem.replace("_", " ")
    return frozenset(content_terms(title))


def _siblings(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = len(a & b)
    added = max(len(a - b), len(b - a))
    return a != b and shared >= MIN_SHARED and shared >= SHARED_PER_ADDED * added


def named_against(question: str, hits: Sequence[Hit]) -> set[str]:
    """The documents among ``hits`` whose sibling ``question`` names instead of them: it writes
    a title word only the sibling has, and none only they have."""
    asked = set(content_terms(question))
    titles = {h.document: _title_terms(h) for h in hits}
    against = set()
    for document, mine in titles.items():
        for other in titles.values():
            if _siblings(mine, other) and asked & (other - mine) and not asked & (mine - other):
                against.add(document)
                break
    return against


def named_only(question: str, hits: Sequence[Hit]) -> list[Hit]:
    """``hits`` without those of a document ``question`` names a sibling of instead."""
    against = named_against(question, hits)
    return [h for h in hits if h.document not in against]
