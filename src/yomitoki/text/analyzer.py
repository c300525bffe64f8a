"""The keyword analyzer: the same terms for documents and queries, Japanese and English.

Japanese is split by SudachiPy (dictionary ``sudachidict-core``, split mode A) into
normalized forms (附属 -> 付属), so spelling variants meet; particles, auxiliary verbs,
symbols and white space are dropped. ASCII words are lower-cased and Snowball-stemmed
(providers -> provid); Sudachi's katakana readings of English words are not used.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from yomitoki.errors import MissingDependencyError

_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
# ASCII words (with inner apostrophes or decimal points) and runs of everything else.
_RUNS = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*|[^\x00-\x7f]+")
# Sudachi refuses inputs over 49,149 bytes: analyze long runs in slices that fit even when
# every character takes the 4 bytes UTF-8 allows.
_MAX_CHARS = 12_000
_local = threading.local()
MAX_QUERY_TERMS = 64


def _tokenizer() -> Any:
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        try:
            from sudachipy import Dictionary, SplitMode
        except ImportError:
            raise MissingDependencyError("sudachipy", "Japanese keyword search") from None
        try:
            tokenizer = Dictionary(dict="core").tokenizer(SplitMode.A)
        except Exception as exc:  # noqa: BLE001 - the dictionary package is missing or broken
            raise MissingDependencyError(
                "sudachidict-core", f"Japanese keyword search ({exc})"
            ) from None
        _local.tokenizer = tokenizer
    return tokenizer


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A text repeats its words, so each is stemmed once (snowballstemmer runs PyStemmer's
    compiled Snowball, a dependency; its pure Python makes the same stems, slower)."""
    stemmed: str = _stemmer().stemWord(word)
    return stemmed or word


def _morphemes(text: str) -> Iterator[tuple[int, Any]]:
    """Sudachi's morphemes of ``text``, each with the offset of the slice it was read in (so
    ``offset + morpheme.begin()`` is where it starts), read ``_MAX_CHARS`` at a time."""
    for start in range(0, len(text), _MAX_CHARS):
        for morpheme in _tokenizer().tokenize(text[start : start + _MAX_CHARS]):
            yield start, morpheme


def analyze(text: str) -> list[str]:
    """Index terms of ``text``, in order, duplicates kept (BM25 counts them).

    ASCII words never reach Sudachi, whose dictionary would turn some English phrases into
    katakana readings; every other run of characters is split by Sudachi.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    terms: list[str] = []
    for run in _RUNS.finditer(text):
        word = run.group()
        if word.isascii():
            terms.append(_stem(word))
            continue
        for _, morpheme in _morphemes(word):
            if morpheme.part_of_speech()[0] in _DROPPED_POS:
                continue
            form = morpheme.normalized_form().strip()
            if form and not unicodedata.category(form[0]).startswith(("P", "S", "Z")):
                terms.append(form)
    return terms


#: Sudachi's part of speech of a common noun that is no counter, adverb or suffix (犬, 薬).
_COMMON_NOUN = ("名詞", "普通名詞", "一般")


def lone_nouns(text: str) -> frozenset[int]:
    """Where ``text`` (NFKC-normalized) writes a common noun of one kanji as a word of its own,
    in Sudachi's reading (犬 of 「会社の犬」; 額 of 「自己負担額」 too, but not 内 of 「ネットワーク
    内」, a suffix)."""
    text = unicodedata.normalize("NFKC", text)
    return frozenset(
        start + morpheme.begin()
        for start, morpheme in _morphemes(text)
        if len(morpheme.surface()) == 1
        and "\u4e00" <= morpheme.surface() <= "\u9fff"
        and tuple(morpheme.part_of_speech()[:3]) == _COMMON_NOUN
    )


#: Sudachi's part of speech of a name: a person, place, organization or other proper noun.
_PROPER = ("名詞", "固有名詞")


def proper_nouns(text: str) -> list[str]:
    """The proper nouns ``text`` (NFKC-normalized) writes in Sudachi's reading, in order: 高津
    and 難波 of 「難波高津宮」, ワシントン of 「ワシントン州」; an asking one (何川: which river)
    is none."""
    text = unicodedata.normalize("NFKC", text)
    return [
        morpheme.surface()
        for _, morpheme in _morphemes(text)
        if tuple(morpheme.part_of_speech()[:2]) == _PROPER and "何" not in morpheme.surface()
    ]


def adverbs(text: str) -> frozenset[str]:
    """The adverbs ``text`` writes, as ``analyze`` reads them: 直ぐ of 「入社してすぐ」, 必ず."""
    text = unicodedata.normalize("NFKC", text).lower()
    return frozenset(
        morpheme.normalized_form()
        for _, morpheme in _morphemes(text)
        if morpheme.part_of_speech()[0] == "副詞"
    )


# English function words: in a question they match nearly every chunk and only add noise.
STOP_WORDS = frozenset(
    analyze(
        "a an the and or but if of in on at to for by with from as into about over under "
        "is are was were be been being do does did have has had can could will would should "
        "may might must what which who whom whose when where why how this that these those "
        "it its i me my we our you your he she they them their there here not no any all"
    )
)
BIGRAM_JOINER = "_"  # never inside a term: ASCII terms are [a-z0-9'.], others lose symbols


def bigrams(terms: list[str]) -> list[str]:
    """Adjacent pairs of content terms ("prior_authorization"): phrases count for more."""
    content = [t for t in terms if t not in STOP_WORDS]
    return [f"{a}{BIGRAM_JOINER}{b}" for a, b in itertools.pairwise(content) if a != b]


def content_terms(text: str) -> list[str]:
    """Distinct analyzed terms of ``text``; English stop words dropped unless nothing else is."""
    terms = list(dict.fromkeys(analyze(text)))
    content = [t for t in terms if t not in STOP_WORDS]
    return content or terms


def query_terms(text: str) -> list[str]:
    """A query's content terms and adjacent pairs of them, at most ``MAX_QUERY_TERMS``."""
    pairs = bigrams(analyze(text))
    return list(dict.fromkeys([*content_terms(text), *pairs]))[:MAX_QUERY_TERMS]


def chunk_terms(heading: Sequence[str], norm_text: str) -> list[str]:
    """The terms a chunk is found by: its heading path and its normalized text, each word
    and each adjacent pair of content words."""
    terms = analyze(" ".join([*heading, norm_text]))
    return terms + bigrams(terms)
