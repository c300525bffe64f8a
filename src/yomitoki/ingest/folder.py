"""A folder on this machine (or one file) as a source: its files are read where they are."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from yomitoki.errors import YomitokiError
from yomitoki.ingest.scan import scan
from yomitoki.ingest.source import GoneError, Listed, Refused, Source


class Folder(Source):
    """The files under a folder (``scan``: exclusions, names, links kept inside), or one
    file; each document records the file's real path."""

    def __init__(self, root: Path, exclude: Sequence[str], outside_links: bool) -> None:
        root = root.resolve()
        if not root.exists():
            raise YomitokiError(f"{root}: no such file or folder")
        self.root = root
        self.whole = root.is_dir()
        self.uri = str(root if self.whole else root.parent)
        self._exclude, self._outside_links = exclude, outside_links

    @property
    def shown(self) -> str:
        return str(self.root)

    def listing(self) -> Iterator[Listed | Refused]:
        files, problems = scan(self.root, self._exclude, self._outside_links)
        yield from problems
        for file in files:
            yield Listed(file.name, file.size, file.mtime_ns, path=file.path)

    def read(self, key: str, into: BinaryIO) -> None:
        try:
            with (Path(self.uri) / key).open("rb") as bytes_in:
                shutil.copyfileobj(bytes_in, into, 1 << 20)
        except FileNotFoundError:
            raise GoneError(key) from None
