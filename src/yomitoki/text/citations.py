"""The citation grammar, one for answers and evals: ``[file.pdf#page=7]``.

azure-search-openai-demo's convention; one bracket may hold several, separated by commas or
semicolons (``[a.pdf#page=1, b.md]``). A bracket is a citation only when every part of it
looks like ``name.ext`` with an optional ``#anchor``; ``[sic]`` is not one.
"""

from __future__ import annotations

import re

# A bracket whose every comma- or semicolon-separated part looks like ``name.ext#anchor``.
BRACKET = re.compile(r"\s?\[([^\[\]\n]{1,400})\]")
_PART = re.compile(r"[^\s,;\[\]][^,;\[\]]*?\.[A-Za-z0-9]{1,5}(?:#[^\s,;\[\]]+)?")
_SPLIT = re.compile(r"\s*[,;、]\s*")


def parts(inside: str) -> list[str] | None:
    """The citations inside one bracket's text, or None when it is not a citation bracket."""
    found = [p for p in _SPLIT.split(inside.strip()) if p]
    return found if found and all(_PART.fullmatch(p) for p in found) else None


def find(text: str) -> list[str]:
    """Every citation in ``text``, in order of first appearance, without duplicates."""
    found: list[str] = []
    for match in BRACKET.finditer(text):
        found.extend(parts(match.group(1)) or ())
    return list(dict.fromkeys(found))


def strip(text: str) -> str:
    """``text`` without its citation brackets."""
    return BRACKET.sub(lambda m: "" if parts(m.group(1)) else m.group(), text)


def neutralise(text: str) -> str:
    """``text`` with each citation bracket shown as text in parentheses (``(a.pdf#page=2)``):
    a document quoted in an answer may hold brackets that look like citations; they are its
    words, never the answer's citations."""

    def plain(match: re.Match[str]) -> str:
        whole = match.group()
        if parts(match.group(1)) is None:
            return whole
        return whole[: len(whole) - len(whole.lstrip())] + f"({match.group(1)})"

    return BRACKET.sub(plain, text)
