"""Does each sentence of an answer say only what the passages it cites say?

A lexical check: the share of a sentence's content words (analyzer terms, English stop words
dropped) that occur in the passages it cites. It catches citations pinned to the wrong
source and sentences that bring in facts no source holds; it cannot catch a negation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import split_sentences
from yomitoki.types import Support

_ONLY_CITATIONS = re.compile(r"^(?:\s*\[[^\[\]]+\])+\s*[.。]?\s*$")


def overlap(sentence: str, passages: list[str]) -> float:
    """Share of the sentence's content terms found in ``passages`` (1.0 when it has none)."""
    terms = set(content_terms(citations.strip(sentence)))
    if not terms:
        return 1.0
    found: set[str] = set()
    for passage in passages:
        found |= terms.intersection(content_terms(passage))
    return len(found) / len(terms)


def sentences_with_citations(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The answer's sentences, each with the citations written in or right after it."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for start, end in split_sentences(text):
        piece = text[start:end].strip()
        if not piece:
            continue
        cited = tuple(citations.find(piece))
        if out and _ONLY_CITATIONS.match(piece):
            # "… covered. [a.pdf#page=2]" — the bracket belongs to the sentence before it.
            previous, before = out[-1]
            out[-1] = (f"{previous} {piece}", tuple(dict.fromkeys(before + cited)))
        else:
            out.append((piece, cited))
    return out


def check_support(
    text: str, passages: Mapping[str, list[str]], min_overlap: float
) -> tuple[Support, ...]:
    """A ``Support`` for every cited sentence of ``text``; ``passages`` maps citation to text."""
    out = []
    for sentence, cited in sentences_with_citations(text):
        if not cited:
            continue
        sources = [p for c in cited for p in passages.get(c, [])]
        share = overlap(sentence, sources)
        out.append(Support(sentence, cited, round(share, 3), share >= min_overlap))
    return tuple(out)
