"""Domain types the whole system speaks. A leaf module: imports nothing from yomitoki."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a source file a piece of text lives: what a citation points to."""

    page: int | None = None
    slide: int | None = None
    sheet: str | None = None
    rows: tuple[int, int] | None = None
    heading: tuple[str, ...] = ()

    def anchor(self) -> str:
        """The URL fragment of a citation: ``page=3``, ``slide=2``, ``sheet=Prices`` or ``""``."""
        if self.page is not None:
            return f"page={self.page}"
        if self.slide is not None:
            return f"slide={self.slide}"
        if self.sheet is not None:
            return f"sheet={self.sheet}"
        return ""

    def describe(self) -> str:
        """A short human-readable form, e.g. ``page 3`` or ``sheet Prices rows 2-40 > Totals``."""
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.slide is not None:
            parts.append(f"slide {self.slide}")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.rows is not None:
            parts.append(f"rows {self.rows[0]}-{self.rows[1]}")
        if self.heading:
            parts.append(" > ".join(self.heading))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Section:
    """A contiguous piece of a parsed document that shares one location."""

    text: str
    location: Location = field(default_factory=Location)


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What a parser returns: the document's sections in reading order."""

    sections: tuple[Section, ...]
    title: str | None = None
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrieval unit: a span of one section, with display text and indexed text."""

    ordinal: int
    text: str
    norm_text: str
    location: Location
    section: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """An indexed source file."""

    id: int
    path: str
    name: str
    root: str
    format: str
    content_hash: str
    size: int
    mtime_ns: int
    chunks: int
    title: str | None = None
    pages: int | None = None
    category: str | None = None


class Outcome(StrEnum):
    """What ingesting one file did."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RENAMED = "renamed"
    REMOVED = "removed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome of one file in an ingest run."""

    name: str
    outcome: Outcome
    chunks: int = 0
    error: str | None = None
    previous_name: str | None = None


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Everything an ingest run did, file by file."""

    root: str
    index: str
    results: tuple[FileResult, ...]
    seconds: float

    def count(self, outcome: Outcome) -> int:
        """How many files ended with ``outcome``."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failed(self) -> bool:
        """True when at least one file could not be ingested."""
        return any(r.outcome is Outcome.FAILED for r in self.results)
