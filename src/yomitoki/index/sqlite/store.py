"""The SQLite engine: documents, chunks, terms and vectors in one file, one transaction each.

``Store`` implements ``yomitoki.index.engine.Engine``; its retrieval half (the in-memory
BM25 matrix and vector matrix) is ``Retrieval``. All of the engine's SQL is in this package.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from yomitoki.backends.base import Vectors
from yomitoki.errors import ConfigError, IndexBusyError, StoreError
from yomitoki.index.engine import IndexStats, NewChunk, NewDocument
from yomitoki.index.sqlite.columns import location_of, named, page_breaks_of
from yomitoki.index.sqlite.guarded import connect
from yomitoki.index.sqlite.migrations import migrate
from yomitoki.index.sqlite.retrieval import Retrieval
from yomitoki.index.sqlite.terms import write_terms
from yomitoki.types import Chunk, Document

#: The columns of ``documents`` a Document is made of, by its field names.
_DOCUMENT = (
    "id, path, name, root, format, content_hash, size, mtime_ns, chunk_count AS chunks, "
    "title, pages, category, chunking, readers"
)
_CHUNK = (
    "ordinal, text, norm_text, page, slide, sheet, row_first, row_last, heading, section, "
    'start, "end", page_end, page_breaks, ocr'
)


#: Seconds an opening waits for another connection's lock (SQLite's busy timeout).
_OPEN_TIMEOUT = 30.0


def _write_ahead(conn: sqlite3.Connection, timeout: float) -> None:
    """Put the file in WAL mode. The switch of a new file needs it to itself, and SQLite
    answers "locked" at once, without waiting, while other connections opening the same new
    file hold it (a server starting while an ingest creates the index): wait here instead.
    Once one connection has switched, the mode is in the file and the others find it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except IndexBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


#: Tables every yomitoki index has had, whatever its version.
_OWN_TABLES = frozenset({"meta"})


def _refuse_foreign(path: Path) -> None:
    """Look at an existing file read-only first: a file that is not a yomitoki index (another
    application's SQLite database, or no database at all) is refused before anything could
    write to it, WAL mode included."""
    if not path.exists() or path.stat().st_size == 0:
        return
    reading = connect(path, read_only=True)
    try:
        # One statement, one snapshot: read apart, another connection creating the index
        # could commit between the two reads (version 0, then its tables: "not an index").
        version, names = reading.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), "
            "(SELECT group_concat(name, char(10)) FROM sqlite_master WHERE type = 'table')"
        ).fetchone()
        tables = set(names.split("\n")) if names else set()
    finally:
        reading.close()
    if tables and (version == 0 or not _OWN_TABLES.issubset(tables)):
        raise StoreError(f"{path} is a SQLite database but not a yomitoki index; not touching it")


def _document(row: sqlite3.Row) -> Document:
    fields = {key: row[key] for key in row.keys()}  # noqa: SIM118 - a Row's keys
    fields["readers"] = tuple(json.loads(fields["readers"]))
    return Document(**fields)


class Store(Retrieval):
    """An open index file. Use as a context manager or call ``close()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, ann_threshold: int) -> None:
        super().__init__(conn, path, ann_threshold)
        self.location = str(path)

    @classmethod
    def open(cls, path: Path, *, ann_threshold: int, create: bool = True) -> Store:
        """Open (and create or migrate) the index at ``path``; from ``ann_threshold`` chunks
        on, vector candidates come from an HNSW graph (setting ``ann_threshold``)."""
        if not create and not path.exists():
            raise StoreError(f"no index at {path}; run 'yomitoki ingest FOLDER' first")
        try:
            _refuse_foreign(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Shared across a server's worker threads; Searcher serializes its use with a lock.
            conn = connect(
                path, isolation_level=None, timeout=_OPEN_TIMEOUT, check_same_thread=False
            )
            _write_ahead(conn, _OPEN_TIMEOUT)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except OSError as exc:
            raise StoreError(f"cannot create index {path}: {exc.strerror or exc}") from None
        return cls(conn, path, ann_threshold)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (or a kill).

        A commit makes this engine's own search legs stale: ``PRAGMA data_version`` only
        tells a connection about other connections' commits.
        """
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        self.refresh()

    # -- the embedding model an index is bound to -------------------------------------------

    def bind_model(self, model_id: str, dim: int) -> None:
        """Record the embedder on first use; refuse a different one afterwards."""
        bound = self.bound()
        if bound is None:
            value = json.dumps({"model": model_id, "dim": dim})
            with self.transaction() as conn:
                conn.execute("INSERT INTO meta (key, value) VALUES ('embedder', ?)", (value,))
            return
        if bound["model"] != model_id:
            raise ConfigError(
                f"index {self.path} holds vectors of '{bound['model']}', not '{model_id}'; "
                "use the same embedder or another --index"
            )
        if int(bound.get("dim", dim)) != dim:
            raise ConfigError(
                f"index {self.path} holds {bound['dim']}-dimensional vectors of "
                f"'{model_id}', but the embedder now gives {dim}; use another index for it"
            )

    def model(self) -> str | None:
        """The embedder model the index is bound to, if any."""
        bound = self.bound()
        return str(bound["model"]) if bound else None

    # -- reading ---------------------------------------------------------------------------

    def documents(self, root: str | None = None) -> list[Document]:
        """All documents, or those ingested from ``root``, ordered by name."""
        sql = f"SELECT {_DOCUMENT} FROM documents"
        args: tuple[str, ...] = ()
        if root is not None:
            sql += " WHERE root = ?"
            args = (root,)
        return [_document(r) for r in named(self._conn, sql + " ORDER BY name", args)]

    def document_by_path(self, path: str) -> Document | None:
        """The document stored for the absolute ``path``."""
        return self._document_where("path = ?", path)

    def document(self, doc_id: int) -> Document | None:
        """The document with id ``doc_id``."""
        return self._document_where("id = ?", doc_id)

    def document_named(self, name: str) -> Document | None:
        """The document called ``name``; None also when two hold it (an index from before
        names were kept unique), so a name never opens one document for another."""
        sql = f"SELECT {_DOCUMENT} FROM documents WHERE name = ? LIMIT 2"
        rows = named(self._conn, sql, (name,)).fetchall()
        return _document(rows[0]) if len(rows) == 1 else None

    def _document_where(self, condition: str, value: object) -> Document | None:
        sql = f"SELECT {_DOCUMENT} FROM documents WHERE {condition}"
        row = named(self._conn, sql, (value,)).fetchone()
        return _document(row) if row else None

    def chunks(self, document_id: int) -> list[Chunk]:
        """A document's chunks in order."""
        rows = named(
            self._conn,
            f"SELECT {_CHUNK} FROM chunks WHERE document_id = ? ORDER BY ordinal",
            (document_id,),
        )
        return [
            Chunk(
                ordinal=r["ordinal"],
                text=r["text"],
                norm_text=r["norm_text"],
                location=location_of(r),
                section=r["section"],
                start=r["start"],
                end=r["end"],
                page_breaks=page_breaks_of(r["page_breaks"]),
                ocr=r["ocr"],
            )
            for r in rows
        ]

    def missing_vectors(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have no stored vector yet."""
        wanted = set(keys)
        found: set[str] = set()
        batch = list(wanted)
        for start in range(0, len(batch), 500):
            part = batch[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                r[0]
                for r in self._conn.execute(f"SELECT key FROM vectors WHERE key IN ({marks})", part)
            )
        return wanted - found

    def stats(self) -> IndexStats:
        """Counts of documents, chunks and vectors, and the file's size on disk."""
        (docs,) = self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()
        (chunks,) = self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()
        (vectors,) = self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        return IndexStats(docs, chunks, vectors, self.model(), size)

    # -- writing: every method below is one transaction ------------------------------------

    def put_document(
        self,
        doc: NewDocument,
        chunks: Sequence[NewChunk],
        vectors: Mapping[str, Vectors],
        replaces: int | None = None,
    ) -> int:
        """Store a document with its chunks and any new vectors, replacing ``replaces``.

        All or nothing: a crash at any point leaves the previous state.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as conn:
            if replaces is not None:
                conn.execute("DELETE FROM documents WHERE id = ?", (replaces,))
            conn.execute("DELETE FROM documents WHERE path = ?", (doc.path,))
            doc_id = _next_document_id(conn)
            conn.execute(
                "INSERT INTO documents (id, path, root, name, format, content_hash, size, "
                "mtime_ns, title, pages, category, chunk_count, ingested_at, chunking, readers) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, doc.path, doc.root, doc.name, doc.format, doc.content_hash, doc.size,
                 doc.mtime_ns, doc.title, doc.pages, doc.category, len(chunks), now,
                 doc.chunking, json.dumps(sorted(doc.readers))),
            )  # fmt: skip
            conn.executemany(
                "INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                (
                    (key, np.asarray(vec, dtype=np.float32).tobytes())
                    for key, vec in vectors.items()
                ),
            )
            conn.executemany(
                'INSERT INTO chunks (document_id, ordinal, section, start, "end", page, slide, '
                "sheet, row_first, row_last, heading, text, norm_text, vector_key, page_end, "
                "page_breaks, ocr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (doc_id, c.ordinal, c.section, c.start, c.end, c.location.page,
                     c.location.slide, c.location.sheet,
                     c.location.rows[0] if c.location.rows else None,
                     c.location.rows[1] if c.location.rows else None,
                     json.dumps(list(c.location.heading), ensure_ascii=False),
                     c.text, c.norm_text, new.vector_key, c.location.page_end,
                     json.dumps(c.page_breaks), c.ocr)
                    for new in chunks
                    for c in (new.chunk,)
                ),
            )  # fmt: skip
            ids = conn.execute(
                "SELECT id FROM chunks WHERE document_id = ? ORDER BY ordinal", (doc_id,)
            ).fetchall()
            write_terms(conn, ((row[0], new.terms) for row, new in zip(ids, chunks, strict=True)))
        return doc_id

    def move_document(self, doc_id: int, path: str, name: str, root: str, mtime_ns: int) -> None:
        """Point a document at its new path after a rename; nothing is re-parsed."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE path = ? AND id != ?", (path, doc_id))
            conn.execute(
                "UPDATE documents SET path = ?, name = ?, root = ?, mtime_ns = ? WHERE id = ?",
                (path, name, root, mtime_ns, doc_id),
            )

    def touch_document(
        self, doc_id: int, mtime_ns: int, category: str | None, readers: tuple[str, ...]
    ) -> None:
        """Record a new modification time, category and readers for content that did not
        change: nothing is re-parsed or re-embedded."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE documents SET mtime_ns = ?, category = ?, readers = ? WHERE id = ?",
                (mtime_ns, category, json.dumps(sorted(readers)), doc_id),
            )

    def remove_document(self, doc_id: int) -> None:
        """Delete a document and (by cascade) its chunks."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def collect_vectors(self) -> int:
        """Delete vectors no chunk refers to; return how many went."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM vectors WHERE key NOT IN (SELECT vector_key FROM chunks)"
            )
            return cursor.rowcount


def _next_document_id(conn: sqlite3.Connection) -> int:
    """A document id never handed out before in this index, even to a deleted document.

    SQLite's rowid reuses the largest id after its row is deleted, so a client holding the
    id of a deleted document would act on the next one; a counter in ``meta`` never goes back.
    """
    row = conn.execute("SELECT value FROM meta WHERE key = 'next_document_id'").fetchone()
    (largest,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM documents").fetchone()
    doc_id = max(int(row[0]) if row else 1, int(largest) + 1)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('next_document_id', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(doc_id + 1),),
    )
    return doc_id
