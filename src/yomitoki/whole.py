"""Files written whole: a reader opens the old file or the new one, never half of one.

A process killed while writing, or two writing the same file at once (a server's background
sync and a CLI ingest; a server and a CLI search rebuilding the same HNSW graph), would
otherwise leave a torn file that every later read fails on.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_whole(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` the file under a temporary name beside ``path`` (readable by its owner
    only), then rename it into place; a write that fails leaves nothing behind."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
