"""Rows read by column name, and the columns a chunk's location is stored in."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from yomitoki.types import Location


def named(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
    """``conn.execute`` whose rows are read by column name."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, args)


def location_of(row: sqlite3.Row) -> Location:
    """The Location of a chunk row (its page, slide, sheet, row range, heading, last page)."""
    first, last = row["row_first"], row["row_last"]
    rows = (first, last) if first is not None and last is not None else None
    return Location(
        row["page"],
        row["slide"],
        row["sheet"],
        rows,
        tuple(json.loads(row["heading"])),
        row["page_end"],
    )


def page_breaks_of(stored: str) -> tuple[tuple[int, int], ...]:
    """The ``page_breaks`` column back as ``(offset, page)`` pairs."""
    return tuple((int(offset), int(page)) for offset, page in json.loads(stored))
