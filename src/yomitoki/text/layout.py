"""How a document's layout shows in its text, and what of it is no sentence to quote: line
breaks inside a Japanese sentence, paragraph numbers, headings and labels left in front of a
sentence, the cells of a flattened table or blank form, table-of-contents lines."""

from __future__ import annotations

import re

from yomitoki.text.language import has_japanese
from yomitoki.text.sentences import LIST_ITEM, open_brackets

_LINE_BREAK_JA = re.compile(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f①-⑳])")
_WHITESPACE = re.compile(r"\s+")
_CLOSED = re.compile(r"[.。．!?！？:：」』)）]$")
#: A line this short without closing punctuation, at the start of a sentence, is a heading.
HEADING_CHARS = 60
#: A line that is only a bracketed label, as Japanese rules title their articles: "（目的）".
_LABEL = re.compile(r"[（(【〔［\[][^\n]{1,58}[）)】〕］\]]")
#: A paragraph number in front of a Japanese sentence: "３ 休憩時間については…", "② …".
_PARAGRAPH_NUMBER = re.compile(r"^(?:[0-9０-９]{1,3}|[①-⑳])\s+(?=[^\x00-\x7f])")
#: A word of English text: three letters.
_WORD = re.compile(r"[A-Za-z]{3}")
#: Text in a Japanese parenthesis, the parenthesis with it.
_BRACKETED = re.compile(r"（[^（）]*）")
#: Blank forms and tables flatten into runs of one- or two-character cells ("午前 時 分").
DEBRIS_CELLS = 4
#: A table-of-contents line: a title, dot leaders, a page number ("第5章 休暇等……38").
_CONTENTS_LINE = re.compile(r"[.．…‥・･]{4,}\s*[0-9０-９]{1,4}")
#: Article headings run together, as a table of contents lists them: "第23条（年次有給休暇）".
_ARTICLE_HEADING = re.compile(r"第[0-9０-９一二三四五六七八九十百]+条\s*[（(][^）)]{1,30}[）)]")


def tidy(sentence: str, items: bool = False) -> str:
    """One line: layout line breaks joined (nothing between Japanese characters, a space
    before a list's item ②), and no paragraph number in front of a Japanese sentence, unless
    it is a list's ``items`` (the rest of a list, on the next page)."""
    line = _WHITESPACE.sub(" ", _LINE_BREAK_JA.sub("", sentence)).strip()
    return line if items else _PARAGRAPH_NUMBER.sub("", line)


def is_debris(sentence: str) -> bool:
    """A label, the cells of a blank form or table (in any item of a list), a line of a table of
    contents, a piece of a sentence that a chunk edge cut inside its brackets, or a question (a
    heading "What is Covered under the Plan?" restates it and answers nothing), not a statement."""
    if _LABEL.fullmatch(sentence) or _CONTENTS_LINE.search(sentence) or sentence[-1] in "?？":
        return True
    headings = _ARTICLE_HEADING.findall(sentence)
    if headings and "。" not in sentence and len("".join(headings)) * 2 > len(sentence):
        return True
    if open_brackets(sentence) != 0:
        return True
    # Blanks in brackets are dates to fill in (「夏季休日（　月　日～　月　日）」), not cells.
    items = (_BRACKETED.sub("", item) for item in LIST_ITEM.split(sentence))
    cells = max(sum(len(w) <= 2 for w in item.split()) for item in items)
    # A row of numbers is a table's too (a calendar's days: 「14 15 16 …」), in any language.
    return cells >= DEBRIS_CELLS and (has_japanese(sentence) or not _WORD.search(sentence))


def skip_headings(text: str, start: int, end: int) -> int:
    """Where the sentence proper begins, past heading lines the splitter left in front of it."""
    while (newline := text.find("\n", start, end)) != -1:
        line, after = text[start:newline].strip(), text[newline + 1 : newline + 2]
        if not _LABEL.fullmatch(line) and (
            len(line) >= HEADING_CHARS or _CLOSED.search(line) or after.islower()
        ):  # long, closed, or run on into a line in lower case ("…for vision\nexams, …")
            break
        start = newline + 1
    return start
