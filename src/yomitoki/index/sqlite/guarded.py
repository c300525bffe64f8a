"""SQLite's errors stay inside the engine: a connection whose every statement and fetch
turns ``sqlite3`` errors into yomitoki's own.

A file SQLite finds damaged ("malformed", "not a database") is a StoreError naming it and the
way out; a database another writer holds past the timeout is IndexBusyError; another
operational failure (a full disk, an unreadable file) is a StoreError with SQLite's words.
Callers above the engine (the CLI, the server) see only ``yomitoki.errors``. A misuse of the
API (a closed connection, a bad statement) is a bug, and is left to surface as one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from yomitoki.errors import IndexBusyError, StoreError


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite says the file itself is bad ("malformed", "not a database"), as opposed
    to a misuse or a busy database, which its own subclasses report."""
    return type(exc) is sqlite3.DatabaseError


def damaged(path: Path, exc: sqlite3.DatabaseError) -> str:
    """The one-line message for an index file SQLite cannot read."""
    return (
        f"index {path} is damaged or is not a yomitoki index ({exc}); move it aside and "
        "run 'yomitoki ingest' again to rebuild it"
    )


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """SQLite's errors inside the block as yomitoki's own, naming ``path``."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise IndexBusyError(f"index {path} is busy ({exc}); try again") from None
        raise StoreError(f"index {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise StoreError(damaged(path, exc)) from None
        raise


class Cursor(sqlite3.Cursor):
    """A cursor whose statements and fetches raise yomitoki's errors."""

    @property
    def _path(self) -> Path:
        connection = self.connection
        return connection.path if isinstance(connection, Connection) else Path("(index)")

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        with translated(self._path):
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        with translated(self._path):
            return super().executemany(sql, parameters)

    def fetchone(self) -> Any:
        with translated(self._path):
            return super().fetchone()

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        with translated(self._path):
            return super().fetchmany(size if size is not None else self.arraysize)

    def fetchall(self) -> list[Any]:
        with translated(self._path):
            return super().fetchall()

    def __next__(self) -> Any:
        with translated(self._path):
            return super().__next__()


class Connection(sqlite3.Connection):
    """A connection to the index at ``path`` whose cursors are ``Cursor``s."""

    path: Path = Path("(index)")

    def cursor(self, factory: Any = Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        cursor: Cursor = self.cursor()
        return cursor.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        cursor: Cursor = self.cursor()
        return cursor.executemany(sql, parameters)


def connect(path: Path, read_only: bool = False, **options: Any) -> Connection:
    """A guarded connection to the index at ``path`` (``sqlite3.connect``'s options); a
    ``read_only`` one cannot change the file in any way."""
    with translated(path):
        if read_only:
            where = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(where, uri=True, factory=Connection, **options)
        else:
            conn = sqlite3.connect(path, factory=Connection, **options)
    assert isinstance(conn, Connection)
    conn.path = path
    return conn
