"""The index schema, and the migrations that bring an older index file up to it.

``PRAGMA user_version`` records the schema version of a file. Version 8 is the schema of the
first release and is created whole; the versions before it were never released (their step
by step migrations, including an FTS5 keyword index later dropped, were removed), so a file
still at one of them is refused with the way out: rebuild it. A later change to the schema
appends a step to ``MIGRATIONS``; each runs in its own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from yomitoki.errors import StoreError

Migration = str | Callable[[sqlite3.Connection], None]

#: The schema version a new index is created at.
BASELINE = 8

SCHEMA = """
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
    ingested_at TEXT NOT NULL,
    -- the chunking its chunks were cut with ("size/overlap"): another one re-chunks it
    chunking TEXT
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
    -- a chunk may run from one page onto the next: its last page, and where each begins
    page_end INTEGER,
    page_breaks TEXT NOT NULL DEFAULT '[]',
    UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_vector_key ON chunks (vector_key);
-- vectors are shared by content (model and text), so renames and copies re-embed nothing
CREATE TABLE vectors (
    key TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
-- keyword terms as ids: they load into a BM25 matrix in one read
CREATE TABLE vocabulary (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE chunk_terms (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
    ids BLOB NOT NULL
);
"""

#: Steps after the baseline: ``MIGRATIONS[i]`` takes a file from ``BASELINE + i`` onward.
MIGRATIONS: tuple[Migration, ...] = (
    # 9: who may read each document (reader tokens); what was indexed before stays readable
    # by every signed-in user, as it was.
    """ALTER TABLE documents ADD COLUMN readers TEXT NOT NULL DEFAULT '["*"]'""",
    # 10: the OCR confidence of a chunk read from a scan; NULL for a file's own text.
    "ALTER TABLE chunks ADD COLUMN ocr REAL",
)


def latest() -> int:
    """The schema version this yomitoki writes."""
    return BASELINE + len(MIGRATIONS)


def _apply(conn: sqlite3.Connection, step: Migration, version: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    (now,) = conn.execute("PRAGMA user_version").fetchone()
    if now >= version:
        # Another connection (a server opening the index while an ingest creates it) took
        # the lock first and did this step.
        conn.execute("ROLLBACK")
        return
    try:
        if callable(step):
            step(conn)
        else:
            for statement in step.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection) -> int:
    """Create the schema in a new file or bring an older one up to date; the version found."""
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    if found > latest():
        raise StoreError(
            f"index schema version {found} is newer than this yomitoki supports ({latest()}); "
            "upgrade yomitoki"
        )
    if 0 < found < BASELINE:
        raise StoreError(
            f"index schema version {found} was written by a development version of yomitoki; "
            "move the file aside and run 'yomitoki ingest' again to rebuild it"
        )
    if found == 0:
        _apply(conn, SCHEMA, BASELINE)
    for version in range(max(found, BASELINE), latest()):
        _apply(conn, MIGRATIONS[version - BASELINE], version + 1)
    return int(found)
