"""An answer's text as a reader sees it: runs of text and citation marks, each mark with the
sentence it closes.

A viewer needs no citation grammar of its own: it shows the text runs and draws each mark as
numbered badges, and highlights the mark's sentence on the cited page. Closing punctuation
written after a bracket (``…です[a.pdf#page=3]。``) moves before the mark, so that in Japanese
a badge follows 。 or 」 and no line starts with them (kinsoku).
"""

from __future__ import annotations

from dataclasses import dataclass

from yomitoki.text import citations
from yomitoki.text.sentences import LIST_ITEM, split_sentences

#: What may not open a line and so goes before a citation mark written ahead of it.
CLOSING = "。、．，」』）】〕〉》｝］！？!?.,;:)\"'"


@dataclass(frozen=True, slots=True)
class Run:
    """Text as written."""

    text: str


@dataclass(frozen=True, slots=True)
class Mark:
    """One citation bracket: its citations and the sentence it closes, without brackets."""

    citations: tuple[str, ...]
    sentence: str


def marked(text: str) -> list[Run | Mark]:
    """``text`` as runs and marks; joining the runs' text and the marks' brackets back in
    order gives ``text`` again, but for closing punctuation moved before a mark and the
    space before a bracket, which goes.

    A mark closes the text written since the sentence began or since the mark before it
    (a quoted passage may hold a stray bracket that keeps the sentence splitter from
    cutting it, so a mark in the middle of a "sentence" still closes only its own part);
    a mark with no text of its own (``… covered. [a.pdf#page=2]``, ``[a.md][b.md]``) closes
    the same text as the one before it."""
    out: list[Run | Mark] = []
    before = ""
    # Brackets are read in the whole text: a sentence's piece may end inside a bracket that
    # is no citation ("[[=.a]。=]") and find one that is not there. A bracket's match may take
    # the space before it; the bracket itself opens at "[".
    found = [(text.index("[", m.start()), m, named) for m, named in citations.brackets(text)]
    for start, end in _sentences(text, [(left, m.end()) for left, m, _ in found]):
        at = since = start
        for match, named in ((m, named) for left, m, named in found if start <= left < end):
            said = citations.strip(text[since : match.start()]).strip()
            if said.strip("。.．"):
                after = text[match.end() : end]
                before = said + after[: len(after) - len(after.lstrip(CLOSING))]
            _append(out, Run(text[at : match.start()]))
            out.append(Mark(tuple(named), before))
            at = since = match.end()
        _append(out, Run(text[at:end]))
        rest = citations.strip(text[since:end]).strip()
        if rest.strip("。.．"):
            before = rest
    return _closing_first(out)


def _sentences(text: str, brackets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of ``text``, none cut inside one of its citation ``brackets`` (where each
    opens and ends: ``[。.a]`` is one bracket, though the splitter would end a sentence at its
    。), nor before a list's item (a quoted rule 「次のとおり…与える。 ① …」 is marked and
    highlighted whole)."""
    spans: list[tuple[int, int]] = []
    for start, end in split_sentences(text):
        inside = any(left < start < right for left, right in brackets)
        if spans and (inside or LIST_ITEM.match(text, start)):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _append(out: list[Run | Mark], run: Run) -> None:
    if not run.text:
        return
    if out and isinstance(out[-1], Run):
        out[-1] = Run(out[-1].text + run.text)
    else:
        out.append(run)


def _closing_first(parts: list[Run | Mark]) -> list[Run | Mark]:
    """Closing punctuation right after marks moved before them."""
    out: list[Run | Mark] = []
    for part in parts:
        if isinstance(part, Run) and out and isinstance(out[-1], Mark):
            rest = part.text.lstrip(CLOSING)
            moved = part.text[: len(part.text) - len(rest)]
            if moved:
                marks: list[Run | Mark] = []
                while out and isinstance(out[-1], Mark):
                    marks.insert(0, out.pop())
                _append(out, Run(moved))
                out.extend(marks)
            _append(out, Run(rest))
        elif isinstance(part, Run):
            _append(out, part)
        else:
            out.append(part)
    return out
