"""A question's misspelled words, read as the passages' words they were meant to be.

People type "hearin care servises" and "Northwind Helth". The vector leg shrugs that off, but
every measure that counts the question's words would not: the misspelled word is in no
passage, so it looks like the one thing the documents never mention. A word of the question
that no passage holds is taken for a passage's word one edit away (two for words of six
letters or more) that begins with the same letter. A word the dictionary has is no misspelling
("expense" absent from the passages is not their "experience", "interest" not "internet"): it
is a word the passages lack, or the same word with another ending, which stemming left apart
("taken" and "take", "kilometers" and "kilometres"; ``same_word``). Only Latin-script words:
Japanese has no misspellings of this kind, and a wrong kanji is another word.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

#: The shortest word that may be a misspelling ("typ", the stem of "typs"; "ad" is no "aid").
MIN_CHARS = 3
#: Words this long may be two edits away.
TWO_EDITS_FROM = 6
#: The most letters by which two endings of one word differ ("patron", "patronis").
MAX_ENDING = 2


def _latin(word: str) -> bool:
    return word.isascii() and word.isalpha()


def meant(word: str, known: Sequence[str]) -> str | None:
    """The word of ``known`` that ``word`` misspells, or None."""
    if len(word) < MIN_CHARS or not _latin(word):
        return None
    edits = 2 if len(word) >= TWO_EDITS_FROM else 1
    candidates = [k for k in known if k[:1] == word[:1] and abs(len(k) - len(word)) <= edits]
    found = extractOne(word, candidates, scorer=Levenshtein.distance, score_cutoff=edits)
    return None if found is None else str(found[0])


def same_word(word: str, known: Sequence[str]) -> str | None:
    """The word of ``known`` that is ``word`` with another ending of at most ``MAX_ENDING``
    letters (one begins with the other, the shorter of more than ``MIN_CHARS`` letters: "part"
    is not "particip"), the nearest in length; or None."""
    if len(word) <= MIN_CHARS or not _latin(word):
        return None
    endings = [
        k
        for k in known
        if len(k) > MIN_CHARS
        and 0 < abs(len(k) - len(word)) <= MAX_ENDING
        and (k.startswith(word) or word.startswith(k))
    ]
    return min(endings, key=lambda k: (abs(len(k) - len(word)), k), default=None)


def corrected(
    words: Iterable[str], known: Iterable[str], real: Container[str] = frozenset()
) -> list[str]:
    """``words`` with each one absent from ``known`` replaced by the known word it misspells
    or, when it is ``real`` (a word of the language, spelt right), by the same word with
    another ending."""
    vocabulary = set(known)
    latin = sorted(w for w in vocabulary if _latin(w))
    out = []
    for word in words:
        if word not in vocabulary:
            fixed = same_word(word, latin) if word in real else meant(word, latin)
            word = fixed or word
        out.append(word)
    return list(dict.fromkeys(out))
