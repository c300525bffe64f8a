"""The cache of what was ingested from sources: each entry's bytes, kept by their hash.

A source's entry is read once, into ``KEPT/.partial/``, hashed, and moved to
``KEPT/SHA256.EXT``: parsers read it there, and ``/content`` and ``/page`` show a document
from it (never from a path a request names). Files no document of a source holds any more are
pruned after each sync. A folder's files are read where they are and never copied here.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from yomitoki.ingest.scan import SourceFile, file_hash
from yomitoki.ingest.source import Source
from yomitoki.types import Document

_PARTIAL = ".partial"
#: How old a half-read entry must be to be taken for a killed ingest's.
STALE_SECONDS = 3600
#: The name of a kept file: its hash, and the entry's extension.
_KEPT = re.compile(r"^[0-9a-f]{64}(\.[^./]+)?$")


def is_sourced(root: str) -> bool:
    """Whether a document's ``root`` is a source's URI (``az://…``), not a folder."""
    return "://" in root


def kept_file(kept: Path, content_hash: str, name: str) -> Path:
    """Where the bytes of the entry called ``name`` with hash ``content_hash`` are kept."""
    return kept / f"{content_hash}{PurePosixPath(name).suffix.lower()}"


def kept_for(kept: Path, doc: Document) -> Path | None:
    """The kept bytes of ``doc``, a source's document, when they are there."""
    path = kept_file(kept, doc.content_hash, doc.name)
    return path if path.is_file() and not path.is_symlink() else None


def unread(kept: Path) -> Path:
    """The path of an entry not read yet (nothing is there)."""
    return kept / _PARTIAL / "unread"


def fetch(source: Source, file: SourceFile, kept: Path) -> tuple[SourceFile, str]:
    """Read ``file``'s entry from ``source`` into the cache: the file with its kept path, and
    the hash of its bytes. A read that fails leaves nothing behind."""
    partial = kept / _PARTIAL
    partial.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=partial)
    written = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            source.read(file.key, out)
        digest = file_hash(written)
        final = written.replace(kept_file(kept, digest, file.name))
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    return replace(file, path=final), digest


def prune(kept: Path, documents: Iterable[Document]) -> None:
    """Remove the kept files that no source's document holds, and reads an ingest that was
    killed left half done (an hour old: another ingest of a Milvus index may be reading)."""
    if not kept.is_dir():
        return
    stale = time.time() - STALE_SECONDS
    for partial in (kept / _PARTIAL).glob("*"):
        with contextlib.suppress(OSError):
            if partial.is_file() and partial.stat().st_mtime < stale:
                partial.unlink()
    held = {
        kept_file(kept, doc.content_hash, doc.name).name
        for doc in documents
        if is_sourced(doc.root)
    }
    for path in kept.iterdir():
        if _KEPT.match(path.name) and path.is_file() and path.name not in held:
            path.unlink(missing_ok=True)
