"""What ingest tells a progress display (the CLI draws bars; others show nothing)."""

from __future__ import annotations

from typing import Protocol

from yomitoki.types import FileResult


class Progress(Protocol):
    """What the pipeline tells a progress display. Every method is optional work."""

    def listed(self, count: int) -> None:
        """A source has listed ``count`` entries so far (before ``start``)."""

    def start(self, files: int) -> None:
        """The run will look at ``files`` files."""

    def file(self, name: str) -> None:
        """Work on ``name`` begins."""

    def embedding(self, total: int) -> None:
        """``total`` new chunks of the current file need vectors."""

    def embedded(self, count: int) -> None:
        """``count`` more chunks have vectors."""

    def ocr(self, total: int) -> None:
        """``total`` pages of the current file need OCR."""

    def ocred(self, count: int) -> None:
        """``count`` more pages are read by OCR."""

    def done(self, result: FileResult) -> None:
        """A file is finished."""


class Silent:
    """A progress display that shows nothing (a server's upload, a script)."""

    def listed(self, count: int) -> None:
        pass

    def start(self, files: int) -> None:
        pass

    def file(self, name: str) -> None:
        pass

    def embedding(self, total: int) -> None:
        pass

    def embedded(self, count: int) -> None:
        pass

    def ocr(self, total: int) -> None:
        pass

    def ocred(self, count: int) -> None:
        pass

    def done(self, result: FileResult) -> None:
        pass
