"""A question's misspelled words, read as the passages' words they were meant to be.

People type "hearin care servises" and "Northwind Helth". The vector leg shrugs that off, but
every measure that counts the question's words would not: the misspelled word is in no
passage, so it looks like the one thing the documents never mention. A word of the question
that no passage holds is taken for a passage's word one edit away (two for words of six
letters or more) that begins with the same letter. Only Latin-script words: Japanese has no
misspellings of this kind, and a wrong kanji is another word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

#: The shortest word that may be a misspelling ("typ", the stem of "typs"; "ad" is no "aid").
MIN_CHARS = 3
#: Words this long may be two edits away.
TWO_EDITS_FROM = 6


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


def corrected(words: Iterable[str], known: Iterable[str]) -> list[str]:
    """``words`` with each one absent from ``known`` replaced by the known word it misspells."""
    vocabulary = set(known)
    latin = sorted(w for w in vocabulary if _latin(w))
    out = []
    for word in words:
        if word not in vocabulary and (fixed := meant(word, latin)) is not None:
            word = fixed
        out.append(word)
    return list(dict.fromkeys(out))
