"""An English question over Japanese documents, searched in Japanese too.

The vector leg already crosses languages; the keyword leg does not, so an English question
finds Japanese pages by meaning alone. Its words and phrases are looked up in a table of
JMdict's English glosses (``en_ja_terms.json.gz``, built by ``bench/make_en_ja_terms.py``;
JMdict © EDRDG, CC BY-SA 4.0: see ``en_ja_terms.NOTICE``): "overtime work" → 時間外労働,
"paid vacation" → 有給休暇. Only terms that some document the asker may read holds are kept
(``known``), so a Japanese query is searched beside the question only over Japanese
documents, and nothing about documents the asker may not read decides it.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

_TABLE = Path(__file__).with_name("en_ja_terms.json.gz")
#: The weight of the Japanese terms' search beside the question's own (weight 1).
TERMS_WEIGHT = 1.0
#: The most terms searched: the longest phrases matched first.
MOST_TERMS = 16
_LONGEST = 3
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_QUESTION_WORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "for", "is", "are", "be", "been", "do", "does",
        "did", "i", "my", "me", "we", "our", "you", "your", "what", "how", "many", "much", "when",
        "where", "which", "who", "whom", "whose", "why", "can", "could", "may", "might", "must",
        "should", "shall", "will", "would", "if", "and", "or", "not", "no", "with", "by", "at",
        "as", "from", "it", "its", "this", "that", "these", "those", "there", "their", "they",
        "get", "gets", "got", "given", "give", "granted", "have", "has", "had", "long", "any",
        "all", "each", "per", "than",
    }
)  # fmt: skip


@functools.cache
def _table() -> dict[str, list[str]]:
    loaded: dict[str, list[str]] = json.loads(gzip.decompress(_TABLE.read_bytes()))
    return loaded


def _forms(words: list[str]) -> set[str]:
    """The phrase, and with its last word made singular (leaves -> leave, hours -> hour)."""
    phrase = " ".join(words)
    last = words[-1]
    singular = (
        {last[:-3] + "y" if last.endswith("ies") else last[:-1]}
        if (last.endswith("s") and len(last) > 3 and not last.endswith("ss"))
        else set()
    )
    return {phrase, *(" ".join([*words[:-1], s]) for s in singular)}


def japanese_terms(question: str, known: Callable[[str], bool]) -> list[str]:
    """The Japanese terms of ``question``'s words and phrases that ``known`` says a readable
    document holds, the longest phrases' first."""
    words = _WORD.findall(question.lower())
    table = _table()
    found: dict[str, int] = {}
    for length in range(_LONGEST, 0, -1):
        for start in range(len(words) - length + 1):
            gram = words[start : start + length]
            if all(word in _QUESTION_WORDS for word in gram):  # "how many", "what is"
                continue
            for form in _forms(gram):
                for term in table.get(form, ()):
                    found.setdefault(term, length)
    ranked = sorted(found, key=lambda term: -found[term])
    # Each check is a look into the index: none past the last term kept.
    return list(itertools.islice(filter(known, ranked), MOST_TERMS))
