"""Citations in answer text checked against the passages given, and streamed whole.

The grammar is ``yomitoki.text.citations``. A citation is kept only when it names a source
the answerer was actually given; the others are removed, never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yomitoki.text.citations import substitute, unclosed

# How long an open bracket may wait for its close before it is plainly not a citation.
_MAX_PENDING = 400


class Sources:
    """The citations an answerer was given, matched without regard to case or folders."""

    def __init__(self, citations: Iterable[str]) -> None:
        self.canonical: dict[str, str] = {}
        for citation in citations:
            self.canonical.setdefault(citation.lower(), citation)
            self.canonical.setdefault(citation.rsplit("/", 1)[-1].lower(), citation)

    def resolve(self, citation: str) -> str | None:
        """The given citation that ``citation`` names, or None when it names none."""
        key = citation.strip().lower()
        return self.canonical.get(key) or self.canonical.get(key.rsplit("/", 1)[-1])


@dataclass(frozen=True, slots=True)
class Checked:
    """Text with only valid citations left, and what was kept and removed."""

    text: str
    kept: tuple[str, ...]
    removed: tuple[str, ...]


def check(text: str, sources: Sources) -> Checked:
    """Rewrite ``text`` so every citation in it resolves to a given source."""
    kept: list[str] = []
    removed: list[str] = []

    def resolved(named: list[str], inside: str) -> str:
        valid = []
        for part in named:
            found = sources.resolve(part)
            if found is None:
                removed.append(part)
            elif found not in valid:
                valid.append(found)
        kept.extend(valid)
        return "".join(f"[{c}]" for c in valid)

    clean = substitute(text, resolved)
    return Checked(clean, tuple(dict.fromkeys(kept)), tuple(dict.fromkeys(removed)))


class CitationStream:
    """Checks citations in streamed text; a citation split across deltas comes out whole.

    Text is released as soon as it cannot be part of a citation; from an open ``[`` on it
    is held until the bracket closes (or plainly is not a citation), then checked.
    """

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._pending = ""
        self.kept: list[str] = []
        self.removed: list[str] = []

    def _release(self, text: str) -> str:
        checked = check(text, self.sources)
        self.kept.extend(c for c in checked.kept if c not in self.kept)
        self.removed.extend(c for c in checked.removed if c not in self.removed)
        return checked.text

    def feed(self, delta: str) -> str:
        """The part of the text so far that is safe to show."""
        self._pending += delta
        cut = self._safe_end(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._release(ready) if ready else ""

    def finish(self) -> str:
        """Whatever is still held, checked."""
        rest, self._pending = self._pending, ""
        return self._release(rest) if rest else ""

    @staticmethod
    def _safe_end(text: str) -> int:
        """Length of the prefix that holds no unfinished bracket (nor the space before one)."""
        opening = unclosed(text)
        if opening is None:
            # A trailing space may be the space that goes with a citation still to come.
            return len(text) - 1 if text.endswith(" ") else len(text)
        if len(text) - opening > _MAX_PENDING:
            return len(text)
        return opening - 1 if opening and text[opening - 1] == " " else opening
