"""The citation grammar, one for answers, evals and the name rule: ``[file.pdf#page=7]``.

azure-search-openai-demo's convention; one bracket may hold several, separated by commas or
semicolons (``[a.pdf#page=1, b.md]``). A bracket is a citation only when every part of it
looks like ``name.ext`` with an optional ``#anchor``; ``[sic]`` is not one. A name may hold
one level of balanced brackets (``報告[案].pdf``, common in Japanese file names) and commas
(``a,b.pdf``): a bracket whose parts are not all citations is read as one citation whole.
``ingest.names`` accepts exactly the names that come back whole from ``find`` (``cites``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# A bracket holding up to 400 characters, with one level of balanced brackets inside.
BRACKET = re.compile(r"\s?\[((?:[^\[\]\n]|\[[^\[\]\n]*\]){1,400})\]")
# One citation: a name (one level of balanced brackets allowed) with an extension, an anchor.
_PART = re.compile(
    r"(?:[^\s\[\]]|\[[^\[\]]*\])(?:[^\[\]]|\[[^\[\]]*\])*?\.[A-Za-z0-9]{1,5}(?:#[^\s,;\[\]]+)?"
)
_SPLIT = re.compile(r"\s*[,;、]\s*")


def parts(inside: str) -> list[str] | None:
    """The citations inside one bracket's text, or None when it is not a citation bracket."""
    found = [p for p in _SPLIT.split(inside.strip()) if p]
    if found and all(_PART.fullmatch(p) for p in found):
        return found
    whole = inside.strip()
    return [whole] if whole and _PART.fullmatch(whole) else None


def brackets(text: str) -> Iterator[tuple[re.Match[str], list[str]]]:
    """Every citation bracket of ``text`` in order, with the citations it holds; a bracket that
    is no citation (``[sic]``) is passed over."""
    for match in BRACKET.finditer(text):
        if (named := parts(match.group(1))) is not None:
            yield match, named


def find(text: str) -> list[str]:
    """Every citation in ``text``, in order of first appearance, without duplicates."""
    return list(dict.fromkeys(c for _, named in brackets(text) for c in named))


def substitute(text: str, replace: Callable[[list[str], str], str]) -> str:
    """``text`` with each citation bracket replaced by ``replace(its citations, the text
    inside it)``: the space before the bracket stays before a replacement and goes with an
    empty one. A bracket that is no citation (``[sic]``) stays as it is."""

    def one(match: re.Match[str]) -> str:
        named = parts(match.group(1))
        if named is None:
            return match.group()
        new = replace(named, match.group(1))
        whole = match.group()
        return whole[: len(whole) - len(whole.lstrip())] + new if new else ""

    return BRACKET.sub(one, text)


def strip(text: str) -> str:
    """``text`` without its citation brackets."""
    return substitute(text, lambda named, inside: "")


def cites(name: str) -> bool:
    """Whether a document called ``name`` is cited by ``[name]`` and ``[name#page=2]`` as
    itself, alone: the name rule's test."""
    return all(find(f"see [{cited}].") == [cited] for cited in (name, f"{name}#page=2"))


def unclosed(text: str) -> int | None:
    """Where the outermost bracket still open at the end of ``text`` starts (a citation may
    be under way there); None when every bracket is closed or a line ended it."""
    opened: list[int] = []
    for at, char in enumerate(text):
        if char == "[":
            opened.append(at)
        elif char == "]" and opened:
            opened.pop()
        elif char == "\n":
            opened.clear()
    return opened[0] if opened else None


def neutralise(text: str) -> str:
    """``text`` with each citation bracket shown as text in parentheses (``(a.pdf#page=2)``):
    a document quoted in an answer may hold brackets that look like citations; they are its
    words, never the answer's citations."""
    return substitute(text, lambda named, inside: f"({inside})")
