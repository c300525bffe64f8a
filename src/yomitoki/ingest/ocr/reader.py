"""Reading page images in parallel: the cache first, then Tesseract, one page per core."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image

from yomitoki.ingest.ocr.cache import OcrCache, image_key
from yomitoki.ingest.ocr.tesseract import OcrUnavailableError, PageText, Tesseract
from yomitoki.types import OcrMode


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How scans are read; ``yomitoki.assemble`` builds it from the settings."""

    mode: OcrMode
    languages: tuple[str, ...]
    #: Resolution PDF pages are rendered at for OCR.
    dpi: int
    #: A page taking longer is abandoned with a warning.
    page_seconds: float
    #: Larger images are refused; PDF pages are rendered no larger (the memory a page may use).
    max_pixels: int
    #: Pages read at once (Tesseract processes).
    workers: int
    #: Where readings are kept by page-image hash; None keeps none.
    cache: Path | None


class OcrProgress(Protocol):
    """What the reader tells a progress display."""

    def ocr(self, total: int) -> None:
        """``total`` pages of the current file need OCR."""

    def ocred(self, count: int) -> None:
        """``count`` more pages are read."""


class _Quiet:
    def ocr(self, total: int) -> None:
        pass

    def ocred(self, count: int) -> None:
        pass


#: A page to read: its number and a function that renders it (called on the caller's thread).
PageImage = tuple[int, Callable[[], Image.Image]]


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page OCR could not read, and why."""

    page: int
    reason: str


class PageReader:
    """Reads page images with Tesseract, in parallel, keeping each reading in the cache."""

    def __init__(self, options: OcrOptions, progress: OcrProgress | None = None) -> None:
        self.options = options
        self.progress: OcrProgress = progress or _Quiet()
        self.engine = Tesseract(options.languages, options.page_seconds)
        self.cache = OcrCache(options.cache) if options.cache is not None else None
        self._checked: list[str] | None = None
        self._unavailable: str | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """OCR is not turned off (it may still be unavailable on this machine)."""
        return self.options.mode is not OcrMode.OFF

    def warnings(self) -> list[str]:
        """What is missing on this machine for OCR, one line each (checked once)."""
        with self._lock:
            if self._checked is None:
                try:
                    self._checked = self.engine.check()
                except OcrUnavailableError as exc:
                    self._unavailable = str(exc)
                    self._checked = [self._unavailable]
            return list(self._checked)

    @property
    def problems(self) -> list[str]:
        """What :meth:`warnings` found, once something needed OCR; nothing before."""
        with self._lock:
            return list(self._checked or [])

    @property
    def unavailable(self) -> str | None:
        """Why OCR cannot run here, or None when it can."""
        self.warnings()
        return self._unavailable

    def read(self, pages: Iterable[PageImage]) -> dict[int, PageText | PageFailure]:
        """Read ``pages``: from the cache where it has them, else with Tesseract, at most
        ``workers`` at a time. A page is rendered only when a worker is free for it, so a
        long scan never holds more than a few page images in memory."""
        todo = list(pages)
        results: dict[int, PageText | PageFailure] = {}
        if not todo:
            return results
        self.progress.ocr(len(todo))
        # Keyed by the languages asked for, not the Tesseract version: an upgrade keeps what
        # was read (delete the cache folder to read everything again).
        reading = "+".join(self.options.languages)
        workers = max(1, self.options.workers)
        with ThreadPoolExecutor(workers, thread_name_prefix="ocr") as pool:
            running: dict[Future[PageText], tuple[int, str]] = {}
            for number, render in todo:
                try:
                    image = render()
                except Exception as exc:  # noqa: BLE001 - a page that won't render is one page
                    results[number] = PageFailure(number, f"cannot render: {exc}")
                    self.progress.ocred(1)
                    continue
                key = image_key(image, reading)
                known: PageText | PageFailure | None = (
                    self.cache.get(key) if self.cache is not None else None
                )
                if known is None and (reason := self.unavailable):
                    known = PageFailure(number, reason)
                if known is not None:
                    results[number] = known
                    self.progress.ocred(1)
                    continue
                while len(running) >= workers:
                    self._collect(running, results)
                running[pool.submit(self.engine.read, image)] = (number, key)
            while running:
                self._collect(running, results)
        return results

    def _collect(
        self,
        running: dict[Future[PageText], tuple[int, str]],
        results: dict[int, PageText | PageFailure],
    ) -> None:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            number, key = running.pop(future)
            try:
                page = future.result()
            except RuntimeError as exc:  # pytesseract's timeout
                results[number] = PageFailure(number, f"OCR gave up ({exc})")
            except Exception as exc:  # noqa: BLE001 - Tesseract failing on one page
                detail = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
                results[number] = PageFailure(number, f"OCR failed ({detail[0][:200]})")
            else:
                results[number] = page
                # A reading made without a language pack asked for is not kept: once the
                # pack is installed, the page is read again.
                if self.cache is not None and self.engine.languages == self.options.languages:
                    self.cache.put(key, page)
            self.progress.ocred(1)
