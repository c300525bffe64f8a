"""Sentence boundaries in Japanese and English text, as spans that cover it without gaps."""

from __future__ import annotations

import re
from collections.abc import Sequence

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
_JAPANESE_OPENERS, _JAPANESE_CLOSERS = frozenset(OPENERS[:-1]), frozenset(CLOSERS[:-1])


def open_brackets(text: str) -> int:
    """How many more brackets and quotes ``text`` opens than it closes."""
    return sum(map(text.count, OPENERS)) - sum(map(text.count, CLOSERS))


def _inside_brackets(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` leaves a Japanese bracket or quote open. A Japanese
    parenthesis may be closed by an ASCII one (「（労基法第６７条)」, as the model rules type
    it) where no ASCII one is open: the sentence ends after it."""
    if end - start > _LONGEST_BRACKETED:
        return False
    japanese = ascii_open = 0
    for char in text[start:end]:
        if char in _JAPANESE_OPENERS:
            japanese += 1
        elif char in _JAPANESE_CLOSERS:
            japanese -= 1
        elif char == "(":
            ascii_open += 1
        elif char == ")" and ascii_open:
            ascii_open -= 1
        elif char == ")" and japanese > 0:
            japanese -= 1
    return japanese > 0


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


#: A sentence that introduces the list after it: 「休日は、次のとおりとする。」, 「…次の区分により
#: 懲戒を行う。」.
_LIST_LEAD = re.compile(r"(?:次|以下)の[^。]{0,30}[。:：]\s*$")
#: A numbered item of such a list: 「① 土曜日及び日曜日」.
LIST_ITEM = re.compile(r"\s*[①-⑳]")


def each_item(statement: str) -> list[str]:
    """A list's lead with each of its items (what the list says of each: 「次のとおり慶弔休暇を
    与える。…② 妻が出産したとき」); any other statement as it is."""
    lead, *items = LIST_ITEM.split(statement)
    return [f"{lead} {item}" for item in items] if len(items) > 1 else [statement]


#: Where a line that is no part of the sentence before it begins: a title on a line of its own
#: (「（病気休暇）」, the next article's), a numbered paragraph (「（３）」).
_NEW_LINE = re.compile(r"\n(?=[ \t]*[（(](?:[^（）()\n]{1,30}[）)][ \t]*\n|[0-9０-９]{1,2}[）)]))")


def statements(text: str, longest: int, stops: Sequence[int] = ()) -> list[tuple[int, int]]:
    """The sentences of ``text``, with a list's lead sentence and the numbered items after it
    as one while they fit in ``longest`` characters and cross at most one of ``stops`` (a
    page's end: its reader cites the two pages' parts apart) (「休日は、次のとおりとする。
    ① 土曜日及び日曜日 ② …」): an item alone says nothing of what it lists. A title's or a
    numbered paragraph's line ends the sentence before it."""
    spans = []
    for start, end in split_sentences(text):
        for line in _NEW_LINE.finditer(text, start, end):
            spans.append((start, line.end()))
            start = line.end()
        if start < end:
            spans.append((start, end))
    out = []
    at = 0
    while at < len(spans):
        start, end = spans[at]
        at += 1
        if _LIST_LEAD.search(text, start, end):
            while at < len(spans) and LIST_ITEM.match(text, spans[at][0]):
                item_end = spans[at][1]
                if item_end - start > longest or sum(start < s < item_end for s in stops) > 1:
                    break
                end = item_end
                at += 1
        out.append((start, end))
    return out
