"""PDF via pypdfium2: one section per page, lines re-flowed, page-number lines dropped.

A page without a usable text layer (a scan) is rendered and read by OCR when a reader is
given; its section carries the OCR confidence.
"""

from __future__ import annotations

import math
import re
from functools import partial
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from yomitoki.errors import CorruptFileError, EmptyDocumentError, EncryptedFileError
from yomitoki.ingest.ocr.reader import PageFailure, PageReader
from yomitoki.ingest.ocr.tesseract import PageText
from yomitoki.ingest.ocr.textlayer import (
    MAX_GARBLED,
    MIN_CONFIDENCE_BESIDE_TEXT,
    garbled_share,
    needs_ocr,
)
from yomitoki.text.normalize import reflow
from yomitoki.types import Location, OcrMode, ParsedDocument, Section

# A header or footer line holding only a page number: "12", "１２", "- 12 -", "Page 3 of 9".
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s*)?[0-9０-９]{1,4}(?:\s*(?:/|of)\s*[0-9０-９]{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE,
)
#: Resolution a page is rendered at to see whether it has ink on it.
_INK_DPI = 36


def _strip_page_numbers(text: str) -> str:
    lines = text.splitlines()
    for idx in (0, -1):
        if lines and _PAGE_NUMBER_LINE.match(lines[idx]):
            lines.pop(idx)
    return "\n".join(lines)


# Titles that tools write when the author wrote none: "untitled", "Untitled-3", "Document1".
_PLACEHOLDER_TITLE = re.compile(r"(?:untitled|document)[-_\s]?\d*", re.IGNORECASE)
# "Microsoft Word - Benefits.docx": the title an Office print-to-PDF gives; the name is in it.
_OFFICE_TITLE = re.compile(r"microsoft\s+\w+\s+-\s+(.+?)(?:\.\w{3,4})?", re.IGNORECASE)


def _meaningful_title(raw: str | None) -> str | None:
    """The metadata title, unless it is a tool's placeholder; an Office file name unwrapped."""
    title = (raw or "").strip()
    if office := _OFFICE_TITLE.fullmatch(title):
        title = office.group(1).strip()
    return None if not title or _PLACEHOLDER_TITLE.fullmatch(title) else title


def _first_words(text: str) -> str:
    """The first line or lines of a page, up to a title's length."""
    words: list[str] = []
    for line in text.split("\n"):
        words.append(line.strip())
        if sum(map(len, words)) >= 20:
            break
    return " ".join(w for w in words if w)[:120]


def _render(page: pdfium.PdfPage, dpi: float, max_pixels: int) -> Image.Image:
    """The page in grey at ``dpi``, scaled down to at most ``max_pixels``."""
    width, height = page.get_size()
    scale = min(dpi / 72, math.sqrt(max_pixels / max(width * height, 1.0)))
    image: Image.Image = page.render(scale=scale, grayscale=True).to_pil()
    return image.convert("L")


def _ink(page: pdfium.PdfPage) -> float:
    """How dark the page is on average (0 white, 1 black), from a coarse rendering: text at
    this resolution is grey, so darkness, not a count of black pixels, measures it."""
    image = _render(page, _INK_DPI, 1 << 20)
    brightness = sum(level * count for level, count in enumerate(image.histogram()))
    return 1 - brightness / 255 / max(image.width * image.height, 1)


def _pictured(page: pdfium.PdfPage) -> float:
    """The share of the page that images cover (overlaps counted twice, at most 1)."""
    width, height = map(float, page.get_size())
    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = map(float, image.get_bounds())
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return min(1.0, covered / max(width * height, 1.0))


def _layer_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        raw: str = textpage.get_text_range()
    finally:
        textpage.close()
    return raw.replace("\r\n", "\n")


def parse(path: Path, ocr: PageReader | None = None) -> ParsedDocument:
    """Extract each page's text; page numbers are 1-based physical pages (``#page=N``)."""
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise EncryptedFileError(path, "PDF is password-protected") from None
        raise CorruptFileError(path, f"not a readable PDF ({message})") from None
    try:
        return _parse(path, pdf, ocr if ocr is not None and ocr.enabled else None)
    finally:
        pdf.close()


def _parse(path: Path, pdf: pdfium.PdfDocument, ocr: PageReader | None) -> ParsedDocument:
    force = ocr is not None and ocr.options.mode is OcrMode.FORCE
    layers, scans = _text_layers(pdf, ocr, force)
    readings = _read_scans(pdf, scans, ocr) if ocr is not None and scans else {}
    failures: dict[str, list[int]] = {}
    sections: list[Section] = []
    for index, layer in enumerate(layers):
        reading = readings.get(index)
        if isinstance(reading, PageFailure):
            failures.setdefault(reading.reason, []).append(index + 1)
        elif section := _page_section(Location(page=index + 1), layer, reading, force):
            sections.append(section)
    if ocr is None and not sections and len(pdf):
        raise EmptyDocumentError(path, "no text layer (a scan?) and OCR is off (setting ocr)")
    warnings = [f"{_pages(numbers)}: {reason}" for reason, numbers in failures.items()]
    if not sections and warnings:
        raise EmptyDocumentError(path, "no text layer, and OCR read nothing: " + warnings[0])
    title = _meaningful_title(pdf.get_metadata_dict(skip_empty=True).get("Title"))
    if not title and sections:
        title = _first_words(sections[0].text)
    return ParsedDocument(
        tuple(sections), title=title or None, pages=len(pdf), warnings=tuple(warnings)
    )


def _text_layers(
    pdf: pdfium.PdfDocument, ocr: PageReader | None, force: bool
) -> tuple[list[str], list[int]]:
    """Each page's text layer, and the pages OCR must read (scans; all when ``force``)."""
    layers: list[str] = []
    scans: list[int] = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            text = _layer_text(page)
            if ocr is not None and (
                force or needs_ocr(text, partial(_ink, page), partial(_pictured, page))
            ):
                scans.append(index)
        finally:
            page.close()
        layers.append(text)
    return layers, scans


def _page_section(
    location: Location, layer: str, reading: PageText | None, force: bool
) -> Section | None:
    """A page's section: its text layer, or what OCR read of it; None when it says nothing."""
    if reading is None:
        text = reflow(_strip_page_numbers(layer))
        return Section(text, location) if text else None
    # The little a text layer holds on a page of ink (a cover's title, a stamp) is exact:
    # kept, before what OCR read, unless it is mojibake or OCR is forced.
    kept = "" if force or garbled_share(layer) > MAX_GARBLED else layer.strip()
    if kept and reading.confidence < MIN_CONFIDENCE_BESIDE_TEXT:
        # A photo beside a caption: its "text" is noise.
        return Section(reflow(_strip_page_numbers(kept)), location)
    read = "\n".join(part for part in (kept, reading.text) if part)
    text = reflow(_strip_page_numbers(read))
    return Section(text, location, ocr=round(reading.confidence, 3)) if text else None


def _read_scans(
    pdf: pdfium.PdfDocument, scans: list[int], ocr: PageReader
) -> dict[int, PageText | PageFailure]:
    options = ocr.options

    def render(index: int) -> Image.Image:
        page = pdf[index]
        try:
            return _render(page, options.dpi, options.max_pixels)
        finally:
            page.close()

    return ocr.read((index, partial(render, index)) for index in scans)


def _pages(numbers: list[int], shown: int = 8) -> str:
    """``page 3``, ``pages 1, 2, 5`` or ``pages 1, 2, ... (40 pages)``."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    listed = ", ".join(map(str, numbers[:shown]))
    return f"pages {listed}" + (f", ... ({len(numbers)} pages)" if len(numbers) > shown else "")
