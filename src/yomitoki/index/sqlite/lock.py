"""One writer per index at a time, across processes: a lock file beside the index.

SQLite already serializes single transactions, but two ingest runs of one folder would both
parse and embed every file (minutes of work each) and then race to write them. The lock makes
the second wait for the first, or refuse; readers (search, ask, a server's answers) never take
it. ``filelock`` uses ``fcntl.flock`` on POSIX, so a killed writer releases it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from yomitoki.errors import IndexBusyError


def lock_path(index: Path) -> Path:
    """The lock file of ``index``."""
    return index.with_name(index.name + ".lock")


@contextmanager
def writer(
    index: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index's writer lock; tell ``on_wait`` once when another process has it."""
    index.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(index), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise IndexBusyError(f"another ingest is running on {index}; try again later") from None
        if on_wait is not None:
            on_wait(f"another ingest is running on {index}; waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()
