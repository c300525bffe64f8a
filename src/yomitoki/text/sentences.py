"""Sentence boundaries in Japanese and English text, as spans that cover it without gaps."""

from __future__ import annotations

import re

# Japanese sentences end on 。！？ (and their kin) plus any closing brackets, with no space
# after them; English sentences end on . ! ? followed by white space. Blank lines and the
# start of a list item end a sentence too.
_BOUNDARY = re.compile(
    r"[。！？‼⁇⁈⁉｡]+(?:[」』）】〕〉》\"')\]]+[。！？｡]*)*\s*"
    r"|(?P<en>[.!?]+[\"')\]]*)(?=\s)\s*"
    r"|\n\s*\n\s*"
    r"|\n(?=\s*(?:[-•・●■◆*]\s|[①-⑳]|第[0-9０-９一二三四五六七八九十]+条|【|#))"
)
# Words after which a period does not end an English sentence.
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "no", "st", "inc", "ltd", "co",
     "corp", "fig", "approx", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
     "sep", "sept", "oct", "nov", "dec"}
)  # fmt: skip
#: How a Japanese proviso opens.
_PROVISO = ("ただし", "但し")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")
#: The closing punctuation of a sentence, at its end.
SENTENCE_END = re.compile(r"([.。．!?！？]+)$")
_LONGEST_WORD = 40
# Japanese brackets and quotes: a 。 inside them does not end the sentence around them
# (「…（労基法第３９条第７項。以下同じ。）…」). Past this many characters an unclosed
# bracket is taken for a typo, so one stray （ cannot swallow a page.
#: The one table of brackets and quotes, each opener above its closer: Japanese ones, then the
#: ASCII parenthesis (which English text also puts around whole sentences).
OPENERS, CLOSERS = "（「『【〔〈《(", "）」』】〕〉》)"
_LONGEST_BRACKETED = 300


def open_brackets(text: str, ascii: bool = True) -> int:
    """How many more brackets and quotes ``text`` opens than it closes (without ASCII
    parentheses when ``ascii`` is False)."""
    openers, closers = (OPENERS, CLOSERS) if ascii else (OPENERS[:-1], CLOSERS[:-1])
    return sum(map(text.count, openers)) - sum(map(text.count, closers))


def _inside_brackets(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` leaves a Japanese bracket or quote open."""
    if end - start > _LONGEST_BRACKETED:
        return False
    return open_brackets(text[start:end], ascii=False) > 0


def _ends_sentence(text: str, start: int, match: re.Match[str]) -> bool:
    """Reject breaks inside brackets and quotes (``「はい。」と``, ``（…。以下同じ。）``) and
    after abbreviations (``Dr.``)."""
    if match.group("en") is None:
        mark = match.group().rstrip()
        if mark and _inside_brackets(text, start, match.end()):
            return False
        # A proviso belongs to the rule it qualifies: 「…支給する。ただし、…支給しないことがあ
        # る。」 is one provision (本文 and ただし書), quoted, cited and highlighted whole.
        if mark and text.startswith(_PROVISO, match.end()):
            return False
        # A closing quote followed by a particle continues the sentence: 「はい。」と答えた。
        following = text[match.end() : match.end() + 1]
        return not (mark and mark[-1] in "」』）)\"'" and "\u3041" <= following <= "\u309f")
    if not match.group("en").startswith("."):
        return True
    # Only the word right before the period matters; searching from the start of a long text
    # would make splitting quadratic (a 100-page PDF flow is one text).
    word = _WORD_BEFORE.search(text, max(0, match.start() - _LONGEST_WORD), match.start())
    if word is None:
        return True
    token = word.group(1).lower().rstrip(".")
    if token in _ABBREVIATIONS:
        return False
    # Single letters and dotted initials: "J. Smith", "U.S. plan".
    return not (len(token) == 1 or (("." in token) and len(token.replace(".", "")) <= 3))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, covering it without gaps.

    Trailing white space belongs to the sentence before it, so joining the spans gives back
    ``text`` exactly.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end > start and text[start:end].strip() and _ends_sentence(text, start, match):
            spans.append((start, end))
            start = end
    if start < len(text):
        if text[start:].strip() or not spans:
            spans.append((start, len(text)))
        else:
            first, _ = spans[-1]
            spans[-1] = (first, len(text))
    return spans
