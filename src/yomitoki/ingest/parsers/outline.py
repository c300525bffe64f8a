"""Collects text under a heading path: shared by the DOCX, HTML and Markdown parsers."""

from __future__ import annotations

from yomitoki.types import Location, Section


class Outline:
    """Accumulates text blocks and closes a section whenever a heading starts."""

    def __init__(self) -> None:
        self._path: list[tuple[int, str]] = []
        self._blocks: list[str] = []
        self._sections: list[Section] = []
        self._first: str | None = None

    def heading(self, level: int, text: str) -> None:
        """Start a section under ``text`` at ``level`` (1 = top)."""
        self._flush()
        self._path = [(lvl, t) for lvl, t in self._path if lvl < level] + [(level, text)]
        if self._first is None:
            self._first = text
        self._blocks.append(text)

    def add(self, text: str) -> None:
        """Append a block of body text to the current section."""
        if text.strip():
            self._blocks.append(text.strip())

    def first_heading(self) -> str | None:
        """The first heading seen, a fallback title."""
        return self._first

    def sections(self) -> tuple[Section, ...]:
        """All sections, the open one included."""
        self._flush()
        return tuple(self._sections)

    def _flush(self) -> None:
        # A section that holds only its own heading line adds nothing to search.
        if len(self._blocks) > (1 if self._path else 0):
            heading = tuple(t for _, t in self._path)
            self._sections.append(Section("\n".join(self._blocks), Location(heading=heading)))
        self._blocks = []
