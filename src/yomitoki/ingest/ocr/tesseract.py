"""Debian's Tesseract, one process per page image (through pytesseract).

A process per page keeps a hostile image's damage to that page: a crash or a hang fails
the page (``timeout`` kills it), not the ingest. Tesseract's OpenMP threads are limited to
one per process, because pages are read in parallel and oversubscribed threads made one
page 7x slower here (20 s instead of 2.7 s).

A page is read in four steps, chosen on the model employment rules and Northwind
(bench/results/ocr.json): orientation and script detection on a half-size copy turns pages
scanned sideways or upside down and picks the language model of the page's script (Japanese
pages read with ``jpn`` alone had a third of the errors of ``jpn+eng``); table rules and box
borders are taken off (``ocr.rules``); a page whose text runs in columns (``ocr.layout``)
is read as vertical Japanese (縦書き, ``jpn_vert``, ``--psm 5``), any other as one block of
lines (``--psm 6``: the automatic layout analysis of ``--psm 1`` and ``3`` cut boxed notes
into fragments in the wrong order); and a horizontal reading with a low confidence is tried
again as vertical, keeping the better one. Multi-column layouts are read line across line:
the price of the block reading.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytesseract
from PIL import Image

from yomitoki.ingest.ocr.layout import looks_vertical
from yomitoki.ingest.ocr.rules import without_rules
from yomitoki.text.normalize import close_japanese_gaps

#: A page whose words average below this confidence is read again with vertical models.
RETRY_VERTICAL_BELOW = 0.6
#: Tesseract's vertical Japanese model, used alongside ``jpn`` when it is installed.
VERTICAL = {"jpn": "jpn_vert"}
#: The language model for a script that orientation detection names.
SCRIPTS = {"Japanese": "jpn", "Han": "jpn", "Hiragana": "jpn", "Katakana": "jpn", "Latin": "eng"}
#: Turn a page only when detection is at least this sure of its orientation.
MIN_ORIENTATION_CONFIDENCE = 2.0


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


class _ChildEnvironment(Mapping[str, str]):
    """This process's environment as it is at each call, with ``OMP_THREAD_LIMIT`` 1 unless
    the user set it."""

    def _now(self) -> dict[str, str]:
        return {"OMP_THREAD_LIMIT": "1", **os.environ}

    def __getitem__(self, key: str) -> str:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


@dataclass(frozen=True, slots=True)
class Word:
    """One word Tesseract read, and its box in the image: left, top, right, bottom."""

    text: str
    box: tuple[int, int, int, int]


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
        # One OpenMP thread per Tesseract process (pages run in parallel already; unlimited,
        # one page took 20 s instead of 2.7 s). Only in Tesseract's environment: set in this
        # process, it would also pin the embedding engine, which loads OpenMP later, to one
        # thread. pytesseract hands its module's ``environ`` to every child it starts.
        pytesseract.pytesseract.environ = _ChildEnvironment()
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
        """Read one page image; TesseractError or RuntimeError (timeout) when it fails.

        The page's Tesseract runs share one time limit, ``seconds``."""
        deadline = time.monotonic() + self.seconds
        rotate, script = self._orientation(image, deadline)
        upright = image.rotate(-rotate, expand=True, fillcolor=255) if rotate else image
        page_image = without_rules(upright)
        languages = self._languages_for(script)
        vertical = bool(self.vertical) and set(languages) & set(VERTICAL)
        if vertical and looks_vertical(page_image):
            columns = self._read(page_image, self.vertical, "5", deadline)
            return PageText(columns.text, columns.confidence, vertical=True)
        page = self._read(page_image, languages, "6", deadline)
        if vertical and page.confidence < RETRY_VERTICAL_BELOW:
            columns = self._read(page_image, self.vertical, "5", deadline)
            if columns.confidence > page.confidence:
                return PageText(columns.text, columns.confidence, vertical=True)
        return page

    def words(self, image: Image.Image) -> list[Word]:
        """The words of an upright page image in reading order, each with its box (to show
        where a sentence is on a scan); TesseractError or RuntimeError when it fails."""
        data = pytesseract.image_to_data(
            image,
            lang="+".join(self.languages),
            config="--psm 6",
            timeout=self.seconds,
            output_type=pytesseract.Output.DICT,
        )
        boxes = zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], strict=True
        )
        return [
            Word(str(text).strip(), (int(x), int(y), int(x) + int(w), int(y) + int(h)))
            for text, x, y, w, h in boxes
            if str(text).strip()
        ]

    def _orientation(self, image: Image.Image, deadline: float) -> tuple[int, str | None]:
        """Degrees to turn the page clockwise, and its script; (0, None) when too little
        text to tell."""
        try:
            found = pytesseract.image_to_osd(
                image.reduce(2) if min(image.size) > 1200 else image,
                config="--psm 0",
                timeout=_left(deadline),
                output_type=pytesseract.Output.DICT,
            )
        except pytesseract.TesseractError:
            return 0, None
        sure = float(found.get("orientation_conf", 0)) >= MIN_ORIENTATION_CONFIDENCE
        return (int(found.get("rotate", 0)) if sure else 0), found.get("script")

    def _languages_for(self, script: str | None) -> tuple[str, ...]:
        """The one model for the page's script when it is among the languages, else all."""
        language = SCRIPTS.get(script or "")
        return (language,) if language in self.languages else self.languages

    def _read(
        self, image: Image.Image, languages: Sequence[str], block: str, deadline: float
    ) -> PageText:
        data = pytesseract.image_to_data(
            image,
            lang="+".join(languages),
            config=f"--psm {block}",
            timeout=_left(deadline),
            output_type=pytesseract.Output.DICT,
        )
        return _page_text(data)


def _left(deadline: float) -> float:
    """Seconds left before ``deadline``; a RuntimeError, as pytesseract's own, when none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise RuntimeError("Tesseract process timeout")
    return left


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
