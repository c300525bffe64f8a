"""A phrase of the dictionaries an English question writes ("life insurance", "company car")
is one thing asked: passages that write its words apart ("life can be unpredictable", "your
insurance card") do not write it. And an abbreviation the passages do not write stands for the
phrase they do ("IVF", "in vitro fertilization").

Within a language the offline answerer counts a question's words one by one, so a near miss
whose every word the passages hold somewhere looked answered. The phrases are those of the
English-Japanese tables (``rag.crosslingual``: JMdict's glosses, EJDict's headwords, the
workplace's), the longest first: established compounds, not any two words side by side ("Zava
offer", "healthcare costs", which passages write in other orders).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from yomitoki.rag import crosslingual
from yomitoki.text.analyzer import BIGRAM_JOINER, STOP_WORDS, analyze, bigrams, content_terms

#: A word set apart by anything but a Latin letter or digit (a kana or kanji beside it:
#: 「IVF（体外受精）」), a plural "s" aside: ``{}`` is the word.
_APART = r"(?<![A-Za-z0-9]){}(?=s?(?![A-Za-z0-9]))"
#: An abbreviation as a question writes it: two to six capitals ("IVF", "ER", "MRIs").
_ABBREVIATION = re.compile(_APART.format("[A-Z]{2,6}"))
#: What ends a clause: two words on either side of it are not side by side.
_CLAUSE = re.compile(r"[,.;:!?()\[\]、。，．；：！？（）「」]")


#: A run of kanji a Japanese question writes: 「育児休業」, which Sudachi reads as 育児 and 休業.
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]{3,}")
#: What a sentence that writes one of a Japanese question's compounds whole gains over one that
#: writes its words apart or only some of them (「育児休業はとれますか」: 第２８条's 育児休業,
#: not 「育児時間を…取得した」, which holds as many of the question's words by weight).
WHOLE_BONUS = 0.05


def whole(question: str, sentence: str) -> float:
    """``WHOLE_BONUS`` when ``sentence`` writes a compound of the Japanese ``question`` that is
    more than one word as the question does, else 0."""
    return WHOLE_BONUS if any(run in sentence for run in _compounds(question)) else 0.0


@functools.lru_cache(maxsize=256)
def _compounds(question: str) -> tuple[str, ...]:
    """The runs of kanji ``question`` writes that are more than one word."""
    return tuple(r for r in _KANJI_RUN.findall(question) if len(content_terms(r)) > 1)


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
    written = _pairs(passages)
    return [p for p in phrases if not _writes(written, p)]


def spelled_out(question: str, passages: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each abbreviation ``question`` writes that no passage does, with the content terms of
    what it stands for where a passage writes that as the phrase: "Does the plan cover IVF?"
    over "…does not cover in vitro fertilization" → {ivf: (vitro, fertil)}."""
    texts = list(passages)
    abbreviations = {
        term: word
        for word in _ABBREVIATION.findall(unicodedata.normalize("NFKC", question))
        for term in analyze(word)
        if not any(re.search(_APART.format(word), text) for text in texts)
    }
    if not abbreviations:
        return {}
    written = _pairs(texts)
    out = {}
    for term, word in abbreviations.items():
        for phrase in crosslingual.stands_for(word):
            terms = tuple(t for t in analyze(phrase) if t not in STOP_WORDS)
            if len(terms) >= 2 and _writes(written, terms):
                out[term] = terms
                break
    return out


def _pairs(passages: Iterable[str]) -> set[str]:
    """Every pair of content terms side by side within a clause of ``passages`` ("your own
    home, office, or other location" writes no "home office")."""
    return {
        pair
        for text in passages
        for clause in _CLAUSE.split(text)
        for pair in bigrams(analyze(clause))
    }


def _writes(pairs: set[str], terms: Sequence[str]) -> bool:
    """Whether ``pairs`` (``_pairs``) write ``terms`` as a phrase, each beside the next."""
    return all(f"{a}{BIGRAM_JOINER}{b}" in pairs for a, b in itertools.pairwise(terms))
