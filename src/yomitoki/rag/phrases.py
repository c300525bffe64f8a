"""A phrase of the dictionaries an English question writes ("life insurance", "company car")
is one thing asked: passages that write its words apart ("life can be unpredictable", "your
insurance card") do not write it.

Within a language the offline answerer counts a question's words one by one, so a near miss
whose every word the passages hold somewhere looked answered. The phrases are those of the
English-Japanese tables (``rag.crosslingual``: JMdict's glosses, EJDict's headwords, the
workplace's), the longest first: established compounds, not any two words side by side ("Zava
offer", "healthcare costs", which passages write in other orders).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from yomitoki.rag import crosslingual
from yomitoki.text.analyzer import BIGRAM_JOINER, STOP_WORDS, analyze, bigrams

#: What ends a clause: two words on either side of it are not side by side.
_CLAUSE = re.compile(r"[,.;:!?()\[\]、。，．；：！？（）「」]")


def asked(question: str) -> list[tuple[str, ...]]:
    """The dictionary phrases ``question`` writes, each as its content terms in order (two or
    more): "How much life insurance…" → (life, insur)."""
    out = []
    for words in crosslingual.phrases(question):
        terms = tuple(t for word in words for t in analyze(word) if t not in STOP_WORDS)
        if len(terms) >= 2:
            out.append(terms)
    return out


def joined(terms: Sequence[str]) -> str:
    """A phrase's one term: its words joined as the keyword index joins a pair of them."""
    return BIGRAM_JOINER.join(terms)


def apart(question: str, passages: Iterable[str]) -> list[tuple[str, ...]]:
    """The question's phrases that none of ``passages`` writes as the phrase (its words may be
    there, apart, or not at all: "a company car" is not the company)."""
    phrases = asked(question)
    if not phrases:
        return []
    # Written as the phrase: side by side within a clause ("your own home, office, or other
    # location" writes no "home office").
    written = {
        pair
        for text in passages
        for clause in _CLAUSE.split(text)
        for pair in bigrams(analyze(clause))
    }
    return [
        p
        for p in phrases
        if not all(f"{a}{BIGRAM_JOINER}{b}" in written for a, b in itertools.pairwise(p))
    ]
