"""The source boundary: where an organisation keeps its documents, listed and read.

A source (a blob container, a bucket, a file share; ``yomitoki.sources`` has them) lists
entries with a size, a change marker and, where it keeps them, readers; and it streams an
entry's bytes. Ingest does the rest as for a folder (``pipeline.Ingester.sync``): an entry
whose size and marker are unchanged is not read, a changed one is read into the cache of
what was ingested, hashed, and parsed only when its bytes are new.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from yomitoki.errors import InvalidNameError
from yomitoki.ingest import globs
from yomitoki.ingest.names import check_folder_name

#: The metadata key (Azure Blob) or object tag (S3) that names an entry's readers:
#: reader tokens separated by spaces or commas (``group:hr user:alice``).
READERS_KEY = "yomitoki_readers"


@dataclass(frozen=True, slots=True)
class Listed:
    """An entry as the source's client lists it, before its name is checked."""

    #: Its path under the source, ``/``-separated (``hr/leave.pdf``).
    key: str
    size: int
    #: The change marker: its last modification, in nanoseconds since the epoch.
    mtime_ns: int
    #: Reader tokens the source keeps for it; empty: the source says nothing.
    readers: tuple[str, ...] = ()
    #: Where its bytes already are (a folder's file): read in place, never copied.
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A listed entry whose name may be cited: its key checked by ``ingest.names``."""

    listed: Listed
    name: str


class GoneError(Exception):
    """The entry was removed between its listing and its reading."""


#: An entry the source lists but cannot offer, and why (a folder it may not open).
Refused = tuple[str, str]


class Source(ABC):
    """Where documents are kept. ``uri`` is the root their documents record
    (``az://docs/hr``, a folder's path); a document's path is ``uri/name``, or the file's
    own path where its bytes are read in place."""

    uri: str
    #: The listing is all there is under ``uri``: a document of it not listed is removed.
    whole: bool = True

    @property
    def shown(self) -> str:
        """What a report names as what was ingested."""
        return self.uri

    @abstractmethod
    def listing(self) -> Iterator[Listed | Refused]:
        """Every entry under the source, a page at a time (a listing of 100k entries is not
        held by the client); raises SourceError when the source cannot be listed."""

    @abstractmethod
    def read(self, key: str, into: BinaryIO) -> None:
        """Write the bytes of the entry ``key`` to ``into``; GoneError when it no longer exists,
        SourceError when the source cannot be read."""

    def location(self, name: str) -> str:
        """The path a document of this source records: its URI and its name."""
        return f"{self.uri.rstrip('/')}/{name}"

    def close(self) -> None:  # noqa: B027 - most sources hold nothing to close
        """Release the client's connections."""


def entries(
    listed: Iterable[Listed | Refused], exclude: Sequence[str]
) -> Iterator[Entry | Refused]:
    """Each listed entry with a checked name, or ``(key, reason)`` when it is refused (its
    name, or by the source); entries whose name or folder an ``exclude`` glob matches are
    left out."""
    for item in listed:
        if isinstance(item, tuple):
            yield item
            continue
        parts = item.key.split("/")
        if any(globs.matches(part, pattern) for part in parts for pattern in exclude):
            continue
        try:
            name = check_folder_name(item.key)
        except InvalidNameError as exc:
            yield item.key, exc.reason
            continue
        yield Entry(item, name)


def reader_tokens(value: str) -> tuple[str, ...]:
    """The reader tokens of a ``yomitoki_readers`` value: ``group:NAME``, ``user:NAME`` or
    ``*``, separated by spaces or commas; anything else is left out."""
    kept = set()
    for token in value.replace(",", " ").split():
        kind, _, who = token.partition(":")
        if token == "*" or (kind in ("group", "user") and who):
            kept.add(token)
    return tuple(sorted(kept))
