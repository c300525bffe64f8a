"""Debian's Tesseract, one process per page image (through pytesseract).

A process per page keeps a hostile image's damage to that page: a crash or a hang fails
the page (``timeout`` kills it), not the ingest. Tesseract's OpenMP threads are limited to
one per process, because pages are read in parallel and oversubscribed threads made one
page 7x slower here (20 s instead of 2.7 s).

Pages are segmented with orientation and script detection (``--psm 1``): pages scanned
sideways or upside down are turned before they are read. A page read poorly with the
horizontal models is read again with the vertical Japanese model added (縦書き), and the
better reading is kept.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytesseract
from PIL import Image

from yomitoki.text.normalize import close_japanese_gaps

#: A page whose words average below this confidence is read again with vertical models.
RETRY_VERTICAL_BELOW = 0.6
#: Tesseract's vertical Japanese model, used alongside ``jpn`` when it is installed.
VERTICAL = {"jpn": "jpn_vert"}


def debian_package(language: str) -> str:
    """The Debian package of a Tesseract language: ``jpn_vert`` -> ``tesseract-ocr-jpn-vert``."""
    return "tesseract-ocr-" + language.lower().replace("_", "-")


class OcrUnavailableError(Exception):
    """Tesseract cannot run at all; the message names what to install."""


@dataclass(frozen=True, slots=True)
class PageText:
    """What OCR read on one page image."""

    text: str
    #: Mean word confidence, 0 to 1, weighted by characters.
    confidence: float
    #: Read with the vertical Japanese model.
    vertical: bool = False


class Tesseract:
    """Reads page images in the configured languages with the ``tesseract`` command."""

    def __init__(self, languages: Sequence[str], seconds: float) -> None:
        self.languages = tuple(languages)
        self.seconds = seconds
        self.version = ""
        self.vertical: tuple[str, ...] = ()

    def check(self) -> list[str]:
        """Find Tesseract and its language packs; what is missing, one line each.

        Raises OcrUnavailableError when nothing can be read: no Tesseract, or none of the
        languages. A missing language among others is a warning and that language is dropped.
        """
        # Set for the child processes only: nothing in yomitoki's own process uses OpenMP.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        try:
            self.version = str(pytesseract.get_tesseract_version())
            installed = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
            packages = " ".join(["tesseract-ocr", *map(debian_package, self.languages)])
            raise OcrUnavailableError(
                f"OCR unavailable: Tesseract is not installed (Debian: apt-get install {packages})"
            ) from None
        wanted = [*self.languages, "osd"]
        missing = [lang for lang in wanted if lang not in installed]
        self.languages = tuple(lang for lang in self.languages if lang in installed)
        if not self.languages:
            raise OcrUnavailableError(
                "OCR unavailable: no language pack for "
                + "+".join(missing)
                + f" (Debian: apt-get install {' '.join(map(debian_package, missing))})"
            )
        self.vertical = tuple(
            VERTICAL[lang]
            for lang in self.languages
            if lang in VERTICAL and VERTICAL[lang] in installed
        )
        if any(lang in VERTICAL for lang in self.languages) and not self.vertical:
            missing += [VERTICAL[lang] for lang in self.languages if lang in VERTICAL]
        return [
            f"OCR without the '{lang}' model: apt-get install {debian_package(lang)}"
            for lang in missing
        ]

    def read(self, image: Image.Image) -> PageText:
        """Read one page image; TesseractError or RuntimeError (timeout) when it fails."""
        page = self._read(image, self.languages)
        if page.confidence < RETRY_VERTICAL_BELOW and self.vertical:
            upright = self._read(image, (*self.vertical, *self.languages))
            if upright.confidence > page.confidence:
                return PageText(upright.text, upright.confidence, vertical=True)
        return page

    def _read(self, image: Image.Image, languages: Sequence[str]) -> PageText:
        data = pytesseract.image_to_data(
            image,
            lang="+".join(languages),
            config="--psm 1",
            timeout=self.seconds,
            output_type=pytesseract.Output.DICT,
        )
        return _page_text(data)


def _page_text(data: dict[str, list[Any]]) -> PageText:
    """Lines and paragraphs back from Tesseract's word table, and the mean confidence."""
    paragraphs: dict[tuple[int, int], dict[int, list[str]]] = {}
    weighted = chars = 0.0
    for block, par, line, word, conf in zip(
        data["block_num"],
        data["par_num"],
        data["line_num"],
        data["text"],
        data["conf"],
        strict=True,
    ):
        text = str(word).strip()
        if not text:
            continue
        paragraphs.setdefault((block, par), {}).setdefault(line, []).append(text)
        weighted += max(float(conf), 0.0) * len(text)
        chars += len(text)
    text = "\n\n".join(
        "\n".join(close_japanese_gaps(" ".join(words)) for words in lines.values())
        for lines in paragraphs.values()
    )
    return PageText(text, weighted / chars / 100 if chars else 0.0)
