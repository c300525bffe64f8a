"""The index boundary: what ingest and retrieval need from an engine that keeps chunks.

The embedded SQLite engine (``yomitoki.index.sqlite``) implements it; a distributed one
implements the same protocol. Everything above this line (the pipeline, fusion, reranking,
the answerer) works only through ``Engine``: no SQL, no engine types.

A filter is applied *inside* the engine, where candidates are produced, never to results
afterwards: a leg's top-k under a filter is the top-k of what the filter admits. Keyword
statistics (how many chunks there are, how many hold a term, how long they are) are those of
the chunks the filter's readers may see, so nothing a reader may not read moves a score, a
weight or a signal they are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from yomitoki.backends.base import Vectors
from yomitoki.types import Chunk, Document, Hit

#: ``(chunk id, score)`` pairs, best first: what a retrieval leg returns.
Scored = list[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class Filters:
    """Which documents a search may return; every engine applies all of them inside.

    Each field narrows the documents admitted; unset fields admit everything. Access control
    adds the reader (user and groups) here, so every leg of every engine applies it too.
    """

    categories: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    path_prefix: str | None = None
    #: Only documents one of these reader tokens admits (``Principal.readers``); None: any.
    readers: frozenset[str] | None = None

    def active(self) -> bool:
        """True when any restriction is set."""
        return bool(
            self.categories
            or self.exclude_categories
            or self.path_prefix
            or self.readers is not None
        )


@dataclass(frozen=True, slots=True)
class NewDocument:
    """What the pipeline hands the engine for one parsed file."""

    path: str
    name: str
    root: str
    format: str
    content_hash: str
    size: int
    mtime_ns: int
    title: str | None
    pages: int | None
    category: str | None
    #: The chunking its chunks were made with, e.g. ``"1000/150/2"`` (size/overlap/cutter).
    chunking: str | None = None
    #: Who may read it (reader tokens, see ``yomitoki.types.Principal``).
    readers: tuple[str, ...] = ("*",)


@dataclass(frozen=True, slots=True)
class NewChunk:
    """One chunk to write: its text and location, its keyword terms and its vector's key."""

    chunk: Chunk
    terms: Sequence[str]
    vector_key: str


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Counts of what an index holds."""

    documents: int
    chunks: int
    vectors: int
    model: str | None
    #: What the index takes on disk; None where the engine does not say (a server).
    bytes: int | None


class Engine(Protocol):
    """An open index. A document is written whole or not at all: in one transaction where the
    engine has them (SQLite); where it has none (Milvus), its row is written last and makes its
    chunks visible, so a reader sees a replaced document twice for a moment, never missing."""

    #: Where the index is, for messages: a file path or a server address.
    location: str

    def close(self) -> None:
        """Release the index."""

    def __enter__(self) -> Self:
        """The engine itself; closed when the block ends."""

    def __exit__(self, *exc: object) -> None:
        """Close it."""

    # -- the embedding model the index is bound to ---------------------------------------

    def model(self) -> str | None:
        """The model whose vectors the index holds, if any yet."""

    def bind_model(self, model_id: str, dim: int) -> None:
        """Record the model on first use; refuse another one afterwards (ConfigError)."""

    # -- documents ------------------------------------------------------------------------

    def documents(self, root: str | None = None) -> list[Document]:
        """All documents, or those ingested from ``root``, ordered by name."""

    def document_by_path(self, path: str) -> Document | None:
        """The document stored for the absolute ``path``."""

    def document(self, doc_id: int) -> Document | None:
        """The document with id ``doc_id``."""

    def document_named(self, name: str) -> Document | None:
        """The document called ``name`` (its path under the folder it was ingested from);
        None when there is none, or more than one."""

    def chunks(self, document_id: int) -> list[Chunk]:
        """A document's chunks in order."""

    def stats(self) -> IndexStats:
        """Counts of documents, chunks and vectors, and the bytes the index takes."""

    def missing_vectors(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have no stored vector yet (vectors are shared by content)."""

    def put_document(
        self,
        doc: NewDocument,
        chunks: Sequence[NewChunk],
        vectors: Mapping[str, Vectors],
        replaces: int | None = None,
    ) -> int:
        """Store a document, its chunks and any new vectors, replacing ``replaces``; its id."""

    def move_document(self, doc_id: int, path: str, name: str, root: str, mtime_ns: int) -> None:
        """Point a document at its new path after a rename; nothing is re-parsed."""

    def touch_document(
        self, doc_id: int, mtime_ns: int, category: str | None, readers: tuple[str, ...]
    ) -> None:
        """Record a new modification time, category and readers for content that did not
        change: nothing is re-parsed or re-embedded."""

    def remove_document(self, doc_id: int) -> None:
        """Delete a document and its chunks."""

    def collect_vectors(self) -> int:
        """Delete vectors no chunk refers to; how many went."""

    def ready_for_search(self) -> None:
        """Build whatever search structures a write left stale, so a first search is fast."""

    # -- retrieval --------------------------------------------------------------------------

    def sync(self) -> None:
        """See what other writers (an ingest, another server) committed since the last call."""

    def keyword_search(self, query: str, limit: int, filters: Filters) -> Scored:
        """BM25 over analyzer terms: the ``limit`` best chunks for ``query`` under ``filters``."""

    def keyword_scores(self, query: str, chunk_ids: Sequence[int], filters: Filters) -> list[float]:
        """The BM25 score of each of ``chunk_ids`` for ``query`` (0 for an unknown id), under
        the statistics ``filters``' readers see."""

    def vector_search(self, vector: Vectors, limit: int, filters: Filters) -> Scored:
        """Cosine: the ``limit`` chunks nearest ``vector`` under ``filters``."""

    def vector_scores(self, vector: Vectors, chunk_ids: Sequence[int]) -> list[float]:
        """The cosine of each of ``chunk_ids`` with ``vector`` (0 for an unknown id)."""

    def idf(self, terms: list[str], filters: Filters) -> dict[str, float]:
        """BM25 IDF of each analyzer term among the chunks ``filters``' readers may see; a
        term none of them holds gets the highest IDF there is."""

    def visible(self, query: str, filters: Filters) -> float:
        """The IDF-weighted share of ``query``'s content terms that some chunk ``filters``'
        readers may see contains."""

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, Hit]:
        """The stored chunks of ``chunk_ids`` as hits (score 0, no legs); gone ids are absent."""
