"""Writing chunks' keyword terms: a shared vocabulary and one id array per chunk."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np


def write_terms(conn: sqlite3.Connection, chunks: Iterable[tuple[int, Sequence[str]]]) -> None:
    """Store each ``(chunk id, terms)``; new terms join the vocabulary. Inside a transaction."""
    pending = list(chunks)
    distinct = sorted({t for _, terms in pending for t in terms})
    conn.executemany("INSERT OR IGNORE INTO vocabulary (term) VALUES (?)", ((t,) for t in distinct))
    ids: dict[str, int] = {}
    for start in range(0, len(distinct), 500):
        part = distinct[start : start + 500]
        marks = ",".join("?" * len(part))
        ids.update(conn.execute(f"SELECT term, id FROM vocabulary WHERE term IN ({marks})", part))
    conn.executemany(
        "INSERT OR REPLACE INTO chunk_terms (chunk_id, ids) VALUES (?, ?)",
        (
            (chunk_id, np.fromiter((ids[t] for t in terms), dtype=np.int32).tobytes())
            for chunk_id, terms in pending
        ),
    )
