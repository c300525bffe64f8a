"""The keyword leg: BM25 (SQLite FTS5) over analyzer terms."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from yomitoki.index.analyzer import analyze

MAX_QUERY_TERMS = 64

# English function words: in a question they match nearly every chunk and only add noise to
# the ranking. Dropped from queries only, so the index needs no rebuild when the list changes.
_STOP_WORDS = frozenset(
    analyze(
        "a an the and or but if of in on at to for by with from as into about over under "
        "is are was were be been being do does did have has had can could will would should "
        "may might must what which who whom whose when where why how this that these those "
        "it its i me my we our you your he she they them their there here not no any all"
    )
)


def query_terms(text: str) -> list[str]:
    """Distinct analyzed terms of a query; English stop words dropped unless nothing else is."""
    terms = list(dict.fromkeys(analyze(text)))
    content = [t for t in terms if t not in _STOP_WORDS]
    return (content or terms)[:MAX_QUERY_TERMS]


def fts_query(text: str) -> str | None:
    """An FTS5 OR-query of the query's terms, each quoted; None when nothing is left."""
    terms = query_terms(text)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def keyword_search(
    conn: sqlite3.Connection, text: str, limit: int, allowed: Collection[int] | None = None
) -> list[tuple[int, float]]:
    """``(chunk id, BM25 score)`` best first; higher is better. ``allowed`` restricts ids."""
    query = fts_query(text)
    if query is None:
        return []
    # FTS5's bm25() is negative (smaller is better); flip it so that higher is better.
    fetch = limit if allowed is None else limit * 20
    rows = conn.execute(
        "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
        "ORDER BY bm25(chunks_fts) LIMIT ?",
        (query, fetch),
    ).fetchall()
    if allowed is not None:
        rows = [r for r in rows if r[0] in allowed]
    return [(int(cid), float(score)) for cid, score in rows[:limit]]
