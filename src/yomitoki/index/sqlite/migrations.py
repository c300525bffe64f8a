"""Schema migrations, applied in order; ``PRAGMA user_version`` records the last one applied."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from yomitoki.errors import StoreError
from yomitoki.index.sqlite.terms import write_terms
from yomitoki.text.analyzer import analyze, chunk_terms

Migration = str | Callable[[sqlite3.Connection], None]


def keyword_terms(heading: list[str], norm_text: str) -> str:
    """The space-joined analyzer terms stored in the keyword index for one chunk."""
    return " ".join(analyze(" ".join([*heading, norm_text])))


def _keyword_index(conn: sqlite3.Connection) -> None:
    """Add the FTS5 keyword index over analyzer terms, kept in step by a trigger, and fill it."""
    conn.execute(
        "CREATE VIRTUAL TABLE chunks_fts "
        "USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0')"
    )
    conn.execute(
        "CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN "
        "DELETE FROM chunks_fts WHERE rowid = old.id; END"
    )
    _fill_keyword_index(conn)


def _fill_keyword_index(conn: sqlite3.Connection) -> None:
    """(Re)compute every chunk's keyword terms: needed whenever the analyzer changes."""
    conn.execute("DELETE FROM chunks_fts")
    rows = conn.execute("SELECT id, heading, norm_text FROM chunks").fetchall()
    conn.executemany(
        "INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
        ((cid, keyword_terms(json.loads(heading), text)) for cid, heading, text in rows),
    )


def _term_ids(conn: sqlite3.Connection) -> None:
    """Keep each chunk's term ids, which load into a BM25 matrix in one read, and drop FTS5."""
    conn.execute("CREATE TABLE vocabulary (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)")
    conn.execute(
        "CREATE TABLE chunk_terms (chunk_id INTEGER PRIMARY KEY "
        "REFERENCES chunks (id) ON DELETE CASCADE, ids BLOB NOT NULL)"
    )
    rows = conn.execute("SELECT id, heading, norm_text FROM chunks").fetchall()
    write_terms(conn, ((cid, chunk_terms(json.loads(h), text)) for cid, h, text in rows))
    conn.execute("DROP TRIGGER chunks_fts_delete")
    conn.execute("DROP TABLE chunks_fts")


def _refill_terms(conn: sqlite3.Connection) -> None:
    """Recompute every chunk's keyword terms from its stored text (the analyzer changed)."""
    conn.execute("DELETE FROM chunk_terms")
    conn.execute("DELETE FROM vocabulary")
    rows = conn.execute("SELECT id, heading, norm_text FROM chunks").fetchall()
    write_terms(conn, ((cid, chunk_terms(json.loads(h), text)) for cid, h, text in rows))


MIGRATIONS: tuple[Migration, ...] = (
    # 1: documents, chunks, and vectors shared by content so renames and copies re-embed nothing.
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        root TEXT NOT NULL,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        title TEXT,
        pages INTEGER,
        category TEXT,
        chunk_count INTEGER NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_root ON documents (root);
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        page INTEGER,
        slide INTEGER,
        sheet TEXT,
        row_first INTEGER,
        row_last INTEGER,
        heading TEXT NOT NULL,
        text TEXT NOT NULL,
        norm_text TEXT NOT NULL,
        vector_key TEXT NOT NULL,
        UNIQUE (document_id, ordinal)
    );
    CREATE INDEX chunks_vector_key ON chunks (vector_key);
    CREATE TABLE vectors (
        key TEXT PRIMARY KEY,
        vector BLOB NOT NULL
    );
    """,
    # 2: keyword search.
    _keyword_index,
    # 3: chunks may run from one page onto the next.
    "ALTER TABLE chunks ADD COLUMN page_end INTEGER",
    # 4: ASCII words are analyzed without Sudachi.
    _fill_keyword_index,
    # 5: BM25 from an in-memory sparse matrix over stored term ids, replacing FTS5.
    _term_ids,
    # 6: where the later pages of a page-crossing chunk begin, so a sentence cites its own page.
    "ALTER TABLE chunks ADD COLUMN page_breaks TEXT NOT NULL DEFAULT '[]'",
    # 7: the chunking a document was cut with, so a change of chunk_size re-chunks it.
    "ALTER TABLE documents ADD COLUMN chunking TEXT",
    # 8: keyword terms include adjacent pairs of content words.
    _refill_terms,
)

LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to ``LATEST``; return the version found before migrating."""
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    if found > LATEST:
        raise StoreError(
            f"index schema version {found} is newer than this yomitoki supports ({LATEST}); "
            "upgrade yomitoki"
        )
    for version in range(found, LATEST):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[version]
            if callable(step):
                step(conn)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return int(found)
