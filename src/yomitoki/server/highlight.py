"""A cited page drawn as an image, with the sentence an answer cites it for highlighted.

The answer's sentence is found among the page's characters as PDFium reads them, compared
after NFKC and without white space: full-width ``１０日`` matches ``10日``, and a line break in
the PDF matches none in the answer. A sentence an LLM wrote in its own words is matched to
the page's sentence that shares most of its content words. PDFium gives the found
characters' boxes, line by line; they are drawn over the rendered page. A scan (an image,
or a PDF page without a text layer) is read by Tesseract for its words' boxes, and the words
that make up the sentence are drawn over.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from cachetools import LRUCache
from PIL import Image, ImageDraw
from pytesseract import TesseractError

from yomitoki.errors import NotFoundError
from yomitoki.ingest.ocr.tesseract import Tesseract, Word
from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import split_sentences

#: Rendering scale (72 dpi times this) and the most pixels a drawn page (a PDF page or a
#: scan's frame) may have; a page without a text layer is drawn at 200 dpi, for OCR to read it.
SCALE = 1.5
SCAN_SCALE = 200 / 72
MAX_PIXELS = 12_000_000
#: A page sentence must hold this share of the cited sentence's words to stand for it (the
#: sentence itself, found whole, always does).
MIN_SHARED = 0.5
#: A note in brackets before a quoted sentence, after NFKC: "(○・空欄は各社が定める値)".
_NOTE = re.compile(r"^\([^()]*\)")
#: Highlight fill and outline (RGBA).
FILL = (255, 214, 0, 96)
OUTLINE = (214, 140, 0, 255)


@dataclass(frozen=True, slots=True)
class Page:
    """A drawn page, and where on it the sentence is: left, top, right, bottom as shares of
    the page's width and height (None when it was not found)."""

    png: bytes
    where: tuple[float, float, float, float] | None

    @property
    def found(self) -> bool:
        """Whether the sentence was found on the page."""
        return self.where is not None


def _flat(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def _spaced(chars: Sequence[str]) -> tuple[str, list[int]]:
    """The page's text after NFKC, each run of white space one space (none between two
    non-ASCII characters, where a line break splits a Japanese word), and the index in
    ``chars`` each character came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(chars):
        for piece in unicodedata.normalize("NFKC", char):
            if piece.isspace():
                if out and out[-1] != " ":
                    out.append(" ")
                    origin.append(index)
                continue
            if (
                out
                and out[-1] == " "
                and len(out) > 1
                and not out[-2].isascii()
                and not piece.isascii()
            ):
                out.pop()
                origin.pop()
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


def locate(chars: Sequence[str], sentence: str) -> tuple[int, int] | None:
    """The first and last index (inclusive) in ``chars`` of ``sentence``, or of the page
    sentence that stands for it; None when neither is there.

    ``chars`` are the page's characters in reading order, one per index.
    """
    text, origin = _spaced(chars)
    solid = [i for i, ch in enumerate(text) if ch != " "]
    flat = "".join(text[i] for i in solid)
    wanted = _flat(citations.strip(sentence)).rstrip("。.．")
    terms = set(content_terms(citations.strip(sentence)))
    # Punctuation alone (a lone ）) or a stop word stands for no sentence: nothing is found.
    if not wanted or not flat or not terms:
        return None
    # The offline answerer may put the document's title before a sentence ("Title: ..."),
    # and a note in brackets ("（○・空欄は各社が定める値）...": the rule leaves blanks).
    for said in (wanted, wanted.partition(":")[2]):
        for exact in (said, _NOTE.sub("", said, count=1)):
            if exact and (at := flat.find(exact)) != -1:
                return origin[solid[at]], origin[solid[at + len(exact) - 1]]
    best, best_share = None, 0.0
    for start, end in split_sentences(text):
        share = len(terms.intersection(content_terms(text[start:end]))) / len(terms)
        if share > best_share:
            best, best_share = (start, end), share
    if best is None or best_share < MIN_SHARED:
        return None
    start, end = best
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    return origin[start], origin[end - 1]


def draw(path: Path, number: int, sentence: str | None, reader: Tesseract | None = None) -> Page:
    """Page ``number`` (1-based) of the PDF at ``path`` as PNG, ``sentence`` highlighted.

    A page without a text layer (a scan) is read by ``reader`` to find the sentence."""
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        raise NotFoundError("the document cannot be drawn") from None
    try:
        if not 1 <= number <= len(pdf):
            raise NotFoundError(f"the document has no page {number}")
        page = pdf[number - 1]
        width, height = page.get_size()
        text = page.get_textpage()
        try:
            chars = [
                chr(pdfium_c.FPDFText_GetUnicode(text.raw, i) or 32)
                for i in range(text.count_chars())
            ]
            if not chars and sentence and reader is not None:
                # A scanned page: drawn at the resolution OCR reads, and read for the sentence.
                scale = min(SCAN_SCALE, math.sqrt(MAX_PIXELS / max(1.0, width * height)))
                return mark_scan(page.render(scale=scale).to_pil(), sentence, reader)
            scale = min(SCALE, math.sqrt(MAX_PIXELS / max(1.0, width * height)))
            image = page.render(scale=scale).to_pil()
            span = locate(chars, sentence) if sentence else None
            boxes = []
            if span is not None:
                first, last = span
                for i in range(text.count_rects(first, last - first + 1)):
                    left, bottom, right, top = text.get_rect(i)
                    boxes.append(
                        (
                            left * scale,
                            (height - top) * scale,
                            right * scale,
                            (height - bottom) * scale,
                        )
                    )
        finally:
            text.close()
        return _page(image, boxes)
    finally:
        pdf.close()


def mark_scan(image: Image.Image, sentence: str | None, reader: Tesseract | None) -> Page:
    """A scanned page as PNG, the words OCR reads as ``sentence`` highlighted."""
    boxes: list[tuple[float, float, float, float]] = []
    if sentence and reader is not None:
        try:
            words = _words(image.convert("L"), reader)
        except (TesseractError, RuntimeError, OSError):
            words = []
        chars: list[str] = []
        owner: list[int] = []
        for number, word in enumerate(words):
            if chars:
                chars.append(" ")
                owner.append(number)
            chars.extend(word.text)
            owner.extend([number] * len(word.text))
        span = locate(chars, sentence)
        if span is not None:
            first, last = owner[span[0]], owner[span[1]]
            boxes = [words[i].box for i in range(first, last + 1)]
    return _page(image, boxes)


#: Scanned pages whose words were read lately: a reader opening one citation after another
#: on the same page waits for Tesseract once.
KEEP_READ = 32
_READ: LRUCache[str, list[Word]] = LRUCache(maxsize=KEEP_READ)
_READ_LOCK = threading.Lock()


def _words(image: Image.Image, reader: Tesseract) -> list[Word]:
    """The words ``reader`` reads on ``image``, remembered for the last ``KEEP_READ`` pages."""
    key = hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()
    key += "|" + "+".join(reader.languages)
    with _READ_LOCK:
        known = _READ.get(key)
    if known is not None:
        return known
    words = reader.words(image)
    with _READ_LOCK:
        _READ[key] = words
    return words


Box = tuple[float, float, float, float]


def lines(boxes: Sequence[Box]) -> list[Box]:
    """``boxes`` (left, top, right, bottom) joined line by line: a Japanese PDF gives one box
    per character, and a box drawn around each would hide the text it marks."""
    out: list[list[float]] = []
    for left, top, right, bottom in sorted(boxes, key=lambda b: (b[1], b[0])):
        for line in out:
            overlap = min(bottom, line[3]) - max(top, line[1])
            if overlap > 0.5 * min(bottom - top, line[3] - line[1]):
                line[0], line[1] = min(line[0], left), min(line[1], top)
                line[2], line[3] = max(line[2], right), max(line[3], bottom)
                break
        else:
            out.append([left, top, right, bottom])
    return [(a, b, c, d) for a, b, c, d in out]


def _page(image: Image.Image, boxes: Sequence[Box]) -> Page:
    """``image`` as PNG with ``boxes`` (left, top, right, bottom in pixels) drawn over it,
    joined into one box per line."""
    image = image.convert("RGBA")
    where = None
    boxes = lines(boxes)
    if boxes:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(overlay)
        for box in boxes:
            pen.rectangle(box, fill=FILL, outline=OUTLINE, width=2)
        image = Image.alpha_composite(image, overlay)
        width, height = image.size
        where = (
            min(b[0] for b in boxes) / width,
            min(b[1] for b in boxes) / height,
            max(b[2] for b in boxes) / width,
            max(b[3] for b in boxes) / height,
        )
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return Page(out.getvalue(), where)
