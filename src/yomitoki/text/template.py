"""Where a sentence sits in a model document: a rule, one of its examples, its commentary.

A government model such as the 就業規則規程例 gives one rule several ways (［例１］ 定年を満７０歳
とする例, ［例２］ …), leaves blanks for each employer to fill in (○時間, 年○日, 満＿歳, 「　か月」)
and explains each article in commentary headed by its number (【第１条 目的】 …). Quoted as if
it were the rule, an example, a blank or a comment misleads; the offline answerer says which
it is (``rag.quoting``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ［例１］ 定年を満７０歳とする例 (the heading of one of several ways to write an article).
_EXAMPLE = re.compile(r"[［\[]例\s*([0-9０-９]{1,2})[］\]][ \t　]*([^\n［\[]{0,60})")
#: 【第１条 目的】: the commentary on article 1 follows.
_COMMENTARY = re.compile(r"【(第(?P<number>[0-9０-９]{1,3})条(?P<title>[^】\n]{0,30}))】")
#: A chapter heading at the start of a line ends any example or commentary before it.
_CHAPTER = re.compile(r"^第[0-9０-９一二三四五六七八九十]{1,3}章", re.MULTILINE)
#: An article where a line, a space or its title's bracket leaves off: 「（定年等）\n第５１条 …」.
_ARTICLE = re.compile(r"(?:^|(?<=[\s）)]))第([0-9０-９]{1,3})条[ 　]", re.MULTILINE)
#: A number left for the employer: ○ or ＿ before a unit, or a unit after a gap where its
#: number belongs (「採用の日から　か月間」, 「午前　時　分」, 「本人が結婚したとき　日」).
_BLANK = re.compile(
    r"(?P<marks>[○◯＿_]{1,3})\s*(?:[時分日年歳回人円週%％]|か月|ヶ月|カ月)"
    r"|(?:から|満|年|毎月|翌月|月額|日額|少なくとも|午前|午後|とき|を)(?P<gap>[ 　]{1,3})"
    r"(?:か月|ヶ月|カ月|日|時間|時|分|歳|円|回)"
)


@dataclass(frozen=True, slots=True)
class Place:
    """An example or a commentary, and its heading as the document writes it."""

    kind: str  # "example" or "commentary"
    #: The example's number and description (「例１」, 「定年を満７０歳とする例」) or the
    #: commented article (「第１条 目的」).
    number: str
    label: str


def place_of(text: str, position: int) -> Place | None:
    """The example or commentary the text at ``position`` belongs to, None for a rule (or a
    document that is no model).

    An example runs from its heading over the article it gives, until another example, a
    comment, a chapter or an article of another number; a comment runs until the next
    article, example or chapter."""
    # A sentence that opens an article ("第５０条 賞与は、…") is that article's.
    opening = _ARTICLE.match(text, position)
    before = text[: opening.end() if opening else position]
    example = _last(_EXAMPLE, before)
    comment = _last(_COMMENTARY, before)
    chapter = _last(_CHAPTER, before)
    latest = max((m for m in (example, comment, chapter) if m is not None),
                 key=lambda m: m.start(), default=None)  # fmt: skip
    if latest is None or latest is chapter:
        return None
    articles = [m.group(1) for m in _ARTICLE.finditer(before, latest.end())]
    if latest is comment:
        return None if articles else Place("commentary", "", comment.group(1).strip())
    assert example is not None
    if len(set(articles)) > 1:  # the example's article ended, another began
        return None
    return Place("example", f"例{example.group(1)}", example.group(2).strip())


#: A sentence that opens a hypothetical case to illustrate a rule: 「例えば、基準日を４月１日に
#: 統一した場合には…」, "For example, if the primary plan has a $1,000 deductible…". An example
#: that states a fact ("For example, female sex hormones are…") is no such case.
_ILLUSTRATION = re.compile(r"^\s*(?:例えば|たとえば|(?i:for\s+(?:example|instance)\b|e\.\s?g\.))")
_CASE = re.compile(r"(?i:\b(?:if|suppose|supposing|assume|assuming)\b)|場合|としたら|とすると")
#: A question that asks for an example or poses a case itself ("Give an example of…", "If
#: the primary payer pays $800…", 「例を挙げて」, 「…場合は？」; not 例外, "exception").
_EXAMPLE_ASKED = re.compile(
    r"(?i:\bexamples?\b|\bfor\s+instance\b)|具体例|事例|例を|例は|例えば|たとえば"
)


def illustrates(sentence: str) -> bool:
    """Whether ``sentence`` opens a hypothetical case ("For example, if…", 「例えば…場合」)."""
    return bool(_ILLUSTRATION.match(sentence)) and bool(_CASE.search(sentence))


def asks_for_example(question: str) -> bool:
    """Whether ``question`` asks for an example or poses a case, so an illustration may
    answer it."""
    return bool(_EXAMPLE_ASKED.search(question)) or bool(_CASE.search(question))


def has_blank(sentence: str) -> bool:
    """Whether ``sentence`` leaves a number for the employer to fill in."""
    return bool(_BLANK.search(sentence))


def as_filled(sentence: str) -> str:
    """``sentence`` with each number left for the employer read as one (「病気休暇を　日与える」
    → 「病気休暇を１日与える」): a rule that leaves the days blank states the days a question
    asks for as much as one that gives them, for choosing which sentence leads (never for
    saying the number)."""

    def one(blank: re.Match[str]) -> str:
        start, end = blank.span("marks" if blank.group("marks") else "gap")
        written = blank.group(0)
        return f"{written[: start - blank.start()]}１{written[end - blank.start() :]}"

    return _BLANK.sub(one, sentence)


#: An article's title on the line before it: 「（産前産後の休業）\n第２５条 …」.
_TITLE_BEFORE = re.compile(r"[（(]([^）)\n]{1,30})[）)]\s*$")
#: A title naming several things: 「時間外及び休日労働等」, 「育児時間及び生理休暇」.
_SEVERAL = re.compile(r"及び|並びに|又は|若しくは|[、，]")


def article_title(text: str, position: int) -> str:
    """The title of the article whose opening sentence is at ``position`` (産前産後の休業 of
    「（産前産後の休業）\n第２５条 ６週間…」), "" for any other sentence, where the passage
    holds no title, or where the title names several things (「労働時間及び休憩時間」: its first
    sentence is on one of them): an article's first sentence does not repeat its title."""
    if (opening := _ARTICLE.match(text, position)) is None:
        return ""
    title = ""
    if before := _TITLE_BEFORE.search(text, 0, opening.start()):
        title = before.group(1).strip()
    else:  # the passage begins at the article, its title left in the one before: the
        # commentary on the same article names it (「第７０条 …」 … 【第７０条 副業・兼業】)
        for comment in _COMMENTARY.finditer(text, opening.end()):
            if comment["number"] == opening.group(1) and comment["title"].strip():
                title = comment["title"].strip()
                break
    return "" if _SEVERAL.search(title) else title


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    return found
