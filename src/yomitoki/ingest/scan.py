"""Finding the files of a folder: exclusions applied, paths resolved, order stable."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yomitoki.errors import InvalidNameError
from yomitoki.ingest import globs
from yomitoki.ingest.names import check_folder_name, check_name


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under an ingest root, or an entry of a source (``ingest.source``)."""

    #: Where its bytes are read: the file itself, or a source's entry in the cache.
    path: Path
    #: What citations show: its path under the folder or the source.
    name: str
    size: int
    mtime_ns: int
    #: What its document records as its path: the real file's, or ``SOURCE-URI/NAME``.
    location: str
    #: Who its source says may read it (``ingest.access`` adds the rules' readers).
    readers: tuple[str, ...] = ()
    #: The source's own name for it (a blob name, an object key); empty for a folder's file.
    key: str = ""


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(globs.matches(name, pattern) for pattern in patterns)


def scan(
    root: Path, exclude: Sequence[str], outside_links: bool = False
) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Walk ``root`` (a folder or one file); return the files and ``(name, reason)`` problems.

    Names are NFC POSIX paths relative to the folder, which is what citations show; a name
    the shared rule refuses (``ingest.names``) is a problem, not a file. Symbolic links to
    files are followed only while their target stays inside the folder (``outside_links``
    lifts that); links to folders are not followed, so a cycle cannot trap the walk.
    """
    if root.is_file():
        stat = root.stat()
        try:
            name = check_name(root.name)
        except InvalidNameError as exc:
            return [], [(root.name, exc.reason)]
        real = root.resolve()
        return [SourceFile(real, name, stat.st_size, stat.st_mtime_ns, str(real))], []
    real_root = root.resolve()
    files: list[SourceFile] = []
    problems: list[tuple[str, str]] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else str(root)
        problems.append((where, f"cannot read folder: {exc.strerror or exc}"))

    for folder, dirs, names in os.walk(root, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if not _excluded(d, exclude))
        for name in sorted(names):
            if _excluded(name, exclude):
                continue
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            try:
                stat = path.stat()
            except OSError as exc:
                problems.append((rel, f"cannot read file: {exc.strerror or exc}"))
                continue
            if not path.is_file():
                continue
            real = path.resolve()
            if not outside_links and not real.is_relative_to(real_root):
                problems.append(
                    (
                        rel,
                        "a link to a file outside the ingested folder; skipped "
                        "(setting follow_outside_links allows it)",
                    )
                )
                continue
            try:
                name = check_folder_name(rel)
            except InvalidNameError as exc:
                problems.append((rel, exc.reason))
                continue
            files.append(SourceFile(real, name, stat.st_size, stat.st_mtime_ns, str(real)))
    return files, problems


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
