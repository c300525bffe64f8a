"""What ingest works on: its options, and a file on its way from bytes to the index."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from yomitoki.backends.base import Vectors
from yomitoki.index.engine import NewChunk, NewDocument
from yomitoki.ingest.access import AccessRule
from yomitoki.ingest.chunking import CUTTER
from yomitoki.ingest.scan import SourceFile
from yomitoki.types import Chunk, Document


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, chunked and embedded file, not yet in the index: what a commit writes."""

    document: NewDocument
    chunks: Sequence[NewChunk]
    vectors: dict[str, Vectors]
    #: Parts of the file that were skipped, and why.
    warnings: tuple[str, ...] = ()
    #: Pages read by OCR.
    ocr_pages: int = 0


@dataclass(frozen=True, slots=True)
class Job:
    """A file whose content is new to the index: to be parsed, chunked and embedded."""

    source: SourceFile
    root: str
    digest: str
    existing: Document | None


@dataclass(frozen=True, slots=True)
class Cut:
    """A parsed and chunked file with its chunks' keyword terms, before any embedding."""

    document: NewDocument
    chunks: Sequence[NewChunk]
    #: The text each distinct vector key is embedded from.
    inputs: dict[str, str]
    warnings: tuple[str, ...]
    ocr_pages: int


class Preparer(Protocol):
    """Prepares many files, anywhere (``yomitoki.ingest.distributed`` runs them on Ray)."""

    def __call__(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, Prepared | Exception]]:
        """Each job with its prepared file, or the exception preparing it raised; any order."""


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What ingest does with a folder; ``yomitoki.assemble`` builds it from the settings."""

    chunk_size: int
    chunk_overlap: int
    max_bytes: int
    category: str | None
    exclude: Sequence[str]
    batch_size: int | None
    #: Follow symbolic links whose target lies outside the ingested folder.
    outside_links: bool
    #: Who may read which files, by path (see ``yomitoki.ingest.access``).
    rules: tuple[AccessRule, ...]
    #: The readers of files no rule covers (``ingest --group/--user``); empty: everyone.
    readers: tuple[str, ...]

    @property
    def chunking(self) -> str:
        """The chunk settings as recorded with each document, and the way sentences are cut
        (``CUTTER``): a document cut another way is cut again by the next ingest."""
        return f"{self.chunk_size}/{self.chunk_overlap}/{CUTTER}"


def embed_input(chunk: Chunk) -> str:
    """The text that is embedded for a chunk: its heading path, then its normalized text."""
    if chunk.location.heading:
        return " > ".join(chunk.location.heading) + "\n" + chunk.norm_text
    return chunk.norm_text


def vector_key(model_id: str, text: str) -> str:
    """Vectors are stored once per (model, text): renames and copies re-embed nothing."""
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).hexdigest()
