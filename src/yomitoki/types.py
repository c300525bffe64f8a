"""Domain types the whole system speaks. A leaf module: imports nothing from yomitoki."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Mode(StrEnum):
    """Which retrieval legs a search uses."""

    KEYWORD = "keyword"
    VECTOR = "vector"
    HYBRID = "hybrid"


class FusionMethod(StrEnum):
    """How a hybrid search combines its legs: min-max normalized scores weighted, or RRF."""

    WEIGHTED = "weighted"
    RRF = "rrf"


class OcrMode(StrEnum):
    """When ingest reads pages by OCR."""

    #: Pages without a usable text layer, and image files.
    AUTO = "auto"
    #: Never: scans are indexed as nothing, and a warning says so.
    OFF = "off"
    #: Every page of every PDF, ignoring its text layer; and image files.
    FORCE = "force"


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a source file a piece of text lives: what a citation points to."""

    page: int | None = None
    slide: int | None = None
    sheet: str | None = None
    rows: tuple[int, int] | None = None
    heading: tuple[str, ...] = ()
    #: The last page of a chunk that runs on from ``page`` onto later pages.
    page_end: int | None = None

    def pages(self) -> range:
        """Every page the text lies on (empty when the format has no pages)."""
        if self.page is None:
            return range(0)
        return range(self.page, (self.page_end or self.page) + 1)

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
        if self.page is not None and self.page_end and self.page_end != self.page:
            parts.append(f"pages {self.page}-{self.page_end}")
        elif self.page is not None:
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
    #: Read by OCR with this confidence (0 to 1); None for text the file itself holds.
    ocr: float | None = None


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What a parser returns: the document's sections in reading order."""

    sections: tuple[Section, ...]
    title: str | None = None
    pages: int | None = None
    #: What went wrong with parts of the file that were skipped (a page OCR could not read).
    warnings: tuple[str, ...] = ()


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
    #: ``(offset into text, page)`` where each later page of a page-crossing chunk begins.
    page_breaks: tuple[tuple[int, int], ...] = ()
    #: The lowest OCR confidence of the pages it was read from; None when none was OCR'd.
    ocr: float | None = None


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
    #: The chunking its chunks were made with (``"size/overlap"``); None if not recorded.
    chunking: str | None = None
    #: Who may read it: ``*`` (every signed-in user), ``group:NAME``, ``user:NAME``.
    readers: tuple[str, ...] = ("*",)

    @property
    def public_id(self) -> str:
        """The id clients see: a hash of the stored id, path and content, so ids tell
        nothing of how many documents there are (or were) between two; a new version of a
        file gets a new one."""
        key = f"{self.id}\0{self.path}\0{self.content_hash}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(key).hexdigest()[:24]


# -- Access -------------------------------------------------------------------------------------

#: The reader token of a document every signed-in user may read.
EVERYONE = "*"


def group_reader(group: str) -> str:
    """The reader token that admits the members of ``group``."""
    return f"group:{group}"


def user_reader(user: str) -> str:
    """The reader token that admits the user called ``user``."""
    return f"user:{user}"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user name, the groups they are in, and whether they administer."""

    name: str
    groups: frozenset[str] = frozenset()
    admin: bool = False

    def readers(self) -> frozenset[str] | None:
        """The reader tokens that admit this principal; None for an admin, who reads all."""
        if self.admin:
            return None
        return frozenset(
            {EVERYONE, user_reader(self.name), *(group_reader(g) for g in self.groups)}
        )

    def can_read(self, document: Document) -> bool:
        """Whether ``document`` admits this principal."""
        tokens = self.readers()
        return tokens is None or not tokens.isdisjoint(document.readers)


#: The user of a local command line or of a server without identities: reads everything.
LOCAL_ADMIN = Principal("local", admin=True)


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
    #: Parts of the file that were skipped and why (a page OCR could not read).
    warnings: tuple[str, ...] = ()
    #: Pages read by OCR.
    ocr_pages: int = 0


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Everything an ingest run did, file by file."""

    root: str
    index: str
    results: tuple[FileResult, ...]
    seconds: float
    #: Things worth a look that failed nothing (a permission rule matching no file).
    warnings: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        """How many files ended with ``outcome``."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failed(self) -> bool:
        """True when at least one file could not be ingested."""
        return any(r.outcome is Outcome.FAILED for r in self.results)


@dataclass(frozen=True, slots=True)
class SyncState:
    """How the last sync of a folder or source went (``ingest.synced`` keeps them)."""

    source: str
    #: When it ended, in seconds since the epoch; None: not synced yet.
    ended: float | None
    #: Files by outcome (``added``, ``unchanged``, ...) of the last sync that ran through.
    counts: tuple[tuple[str, int], ...]
    #: Why the last sync did not run through; None: it did.
    error: str | None
    #: Syncs in a row that did not run through.
    failures: int


@dataclass(frozen=True, slots=True)
class LegScore:
    """One retrieval leg's view of a hit: its 1-based rank and raw score."""

    rank: int
    score: float


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its source, location and every leg's rank and score."""

    chunk_id: int
    document: str
    location: Location
    text: str
    score: float
    legs: dict[str, LegScore] = field(default_factory=dict)
    category: str | None = None
    title: str | None = None
    #: ``(offset into text, page)`` where each later page of a page-crossing chunk begins.
    page_breaks: tuple[tuple[int, int], ...] = ()
    #: Read by OCR with this confidence (the lowest of its pages); None for a file's own text.
    ocr: float | None = None

    def citation(self) -> str:
        """``file.pdf#page=3``, ``deck.pptx#slide=2``, or the bare name."""
        anchor = self.location.anchor()
        return f"{self.document}#{anchor}" if anchor else self.document

    def locations(self) -> list[str]:
        """Every citation this hit supports: one per page of a chunk that spans pages."""
        pages = self.location.pages()
        if len(pages) > 1:
            return [f"{self.document}#page={p}" for p in pages]
        return [self.citation()]

    def citation_at(self, offset: int) -> str:
        """The citation of the text at ``offset``: the page it lies on in a page-crossing chunk."""
        page = self.location.page
        for start, later in self.page_breaks:
            if offset >= start:
                page = later
        return f"{self.document}#page={page}" if page is not None else self.citation()


# -- Answering ----------------------------------------------------------------------------------

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a conversation or of a prompt."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens an LLM call consumed, as the server reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclass(frozen=True, slots=True)
class Context:
    """First event of an answer: what was searched, what was found, what the answerer saw."""

    question: str
    query: str
    language: str
    hits: tuple[Hit, ...]
    #: The messages sent to the LLM; empty for the offline answerer.
    prompt: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of answer text; citations in it are already checked and never split."""

    text: str


@dataclass(frozen=True, slots=True)
class Followups:
    """Suggested next questions, as data (never parsed out of the answer text)."""

    questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Support:
    """How well one answer sentence is backed by the passages it cites."""

    sentence: str
    citations: tuple[str, ...]
    #: Share of the sentence's content words found in the cited passages, 0..1.
    overlap: float
    supported: bool


@dataclass(frozen=True, slots=True)
class Answer:
    """Last event of an answer: the whole text and everything said about it."""

    text: str
    language: str
    citations: tuple[str, ...]
    #: Citations the answerer wrote that pointed to no passage it was given (removed), and
    #: citation-like brackets in the sentences it quoted (shown as text).
    removed_citations: tuple[str, ...] = ()
    support: tuple[Support, ...] = ()
    dont_know: bool = False
    followups: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    usage: Usage | None = None
    answerer: str = "offline"
    #: The offline answerer's decision to answer: its signals, the calibrated ``probability``
    #: and the ``threshold`` it answers from; None for an LLM's answer.
    answerability: dict[str, float] | None = None

    @property
    def unsupported(self) -> tuple[Support, ...]:
        """Cited sentences whose sources do not back them."""
        return tuple(s for s in self.support if not s.supported)


Event = Context | TextDelta | Followups | Answer
