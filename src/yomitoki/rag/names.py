"""A name the question writes and no passage does: the passages are about something else.

"What is the annual deductible for the Northwind Gold plan?" over pages of the Standard and
Plus plans finds every word but one: "Gold". Counted as one word among seven it hardly lowers
how much of the question the passages hold, yet it is the thing asked about; a plan, place,
person or product the documents never name is not answered by them (the on-topic near misses
of an entity swapped for one the corpus lacks). A name is what a question writes as one: in
English a capitalized word that does not open a sentence ("Gold", "Seattle", "LASIK"), in
Japanese a proper noun in Sudachi's reading (東京, トヨタ) or a capitalized word in Latin
letters. Framing words are no names ("what is the *role* of…"), so unlike the rarest word
missing, this counts.

A name is written when a passage, its title or its file name writes it (case, accents and a
plural "s" aside), when its words misspell words the passages write ("Helth"), or when it is
an abbreviation whose phrase they write ("IVF": ``phrases.spelled_out``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence

from yomitoki.text.analyzer import content_terms, proper_nouns
from yomitoki.text.language import has_japanese
from yomitoki.text.spelling import corrected
from yomitoki.types import Hit

#: A letter or digit of a Latin word, accented ones too ("Café", "Bolesław").
_LATIN = "A-Za-z0-9\u00c0-\u024f"
#: A capitalized word of two letters or more ("Gold", "LASIK", "Wi-Fi"), possessive aside.
_CAPITALIZED = re.compile(
    rf"(?<![{_LATIN}'’-])[A-Z\u00c0-\u00d6\u00d8-\u00de][{_LATIN}]*(?:-[{_LATIN}]+)*"
    rf"(?=(?:['’]s)?(?![{_LATIN}]))"
)
#: The names of a question judged at most: a real one writes a few (a hostile one thousands).
MAX_NAMES = 32
#: Latin words a Japanese question writes that name nothing: 「何時間までOK？」.
_NO_NAMES = frozenset({"OK", "NG"})
#: What opens a sentence or a quotation, whose first word is capitalized without naming.
_OPENS = re.compile(r"(?:^|[.?!:;\"“(「『。？！])\s*$")


def named(question: str) -> list[str]:
    """The names ``question`` writes, in order, each once, the first ``MAX_NAMES``."""
    question = unicodedata.normalize("NFKC", question)
    found = []
    japanese = has_japanese(question)
    for match in _CAPITALIZED.finditer(question):
        word = match.group()
        if word in _NO_NAMES or len(word) < 2:
            continue
        if japanese or not _OPENS.search(question[: match.start()]):
            found.append(word)
    if japanese:
        found += proper_nouns(question)
    return list(dict.fromkeys(found))[:MAX_NAMES]


def _plain(text: str) -> str:
    """``text`` case-folded, without accents: "Café" and "cafe" meet; "Bolesław" and
    "Boleslaw" do not (ł is a letter of its own, not l with a mark)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _writes(text: str, name: str) -> bool:
    """Whether ``text`` (plain) writes ``name`` (plain): as a word of its own in Latin
    letters ("gold" is not "golden"; "mri" is in "mris"), anywhere in Japanese."""
    if not name.isascii():
        return name in text
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}s?(?![a-z0-9])", text) is not None


def unwritten(
    question: str,
    hits: Sequence[Hit],
    known: Iterable[str],
    spelled: Container[str],
    real: Container[str] = frozenset(),
) -> tuple[str, ...]:
    """The names ``question`` writes that the passages of ``hits``, their titles and file
    names do not: not as written, not misspelled (their words, corrected against the passages'
    ``known`` terms, ``real`` words kept, all known), and not as an abbreviation ``spelled``
    out (its term a key of ``phrases.spelled_out``).

    Only names the passages could write as the question does are judged: a Japanese
    question's names in Latin letters ("Wi-Fi", "LASIK"), which English pages write alike,
    but not its 東京 over English pages (they write "Tokyo"); an English question's names over
    Japanese pages none."""
    in_japanese = has_japanese(question)
    # The scripts the passages write names in: Latin letters in both languages' pages.
    latin = any(in_japanese or not has_japanese(h.text) for h in hits)
    kana_kanji = any(has_japanese(h.text) for h in hits)
    vocabulary = set(known)
    text = _plain("\n".join(t for h in hits for t in (h.text, h.title or "", h.document)))
    out = []
    for name in named(question):
        if not (latin if _CAPITALIZED.fullmatch(name) else kana_kanji):
            continue  # the passages would write it in another script
        terms = content_terms(name)
        if _writes(text, _plain(name)) or any(t in spelled for t in terms):
            continue
        if terms and set(corrected(terms, vocabulary, real)) <= vocabulary:
            continue
        out.append(name)
    return tuple(out)
