"""A cited page drawn as an image, with the sentence an answer cites it for highlighted.

The answer's sentence is found among the page's characters as PDFium reads them, compared
after NFKC and without white space: full-width ``１０日`` matches ``10日``, and a line break in
the PDF matches none in the answer. A sentence an LLM wrote in its own words is matched to
the page's sentence that shares most of its content words. PDFium gives the found
characters' boxes, line by line; they are drawn over the rendered page.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw

from yomitoki.errors import NotFoundError
from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import split_sentences

#: Rendering scale (72 dpi times this) and the most pixels a drawn page may have.
SCALE = 1.5
MAX_PIXELS = 12_000_000
#: A page sentence must hold this share of the cited sentence's words to stand for it.
MIN_SHARED = 0.5
#: Highlight fill and outline (RGBA).
FILL = (255, 214, 0, 96)
OUTLINE = (214, 140, 0, 255)


@dataclass(frozen=True, slots=True)
class Page:
    """A drawn page, and whether the sentence was found on it."""

    png: bytes
    found: bool


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
    if not wanted or not flat:
        return None
    # The offline answerer may put the document's title before a sentence: "Title: ...".
    for exact in (wanted, wanted.partition(":")[2]):
        if exact and (at := flat.find(exact)) != -1:
            return origin[solid[at]], origin[solid[at + len(exact) - 1]]
    terms = set(content_terms(citations.strip(sentence)))
    if not terms:
        return None
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


def draw(path: Path, number: int, sentence: str | None) -> Page:
    """Page ``number`` (1-based) of the PDF at ``path`` as PNG, ``sentence`` highlighted."""
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        raise NotFoundError("the document cannot be drawn") from None
    try:
        if not 1 <= number <= len(pdf):
            raise NotFoundError(f"the document has no page {number}")
        page = pdf[number - 1]
        width, height = page.get_size()
        scale = min(SCALE, math.sqrt(MAX_PIXELS / max(1.0, width * height)))
        image = page.render(scale=scale).to_pil().convert("RGBA")
        boxes = _boxes(page, sentence) if sentence else []
        if boxes:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            pen = ImageDraw.Draw(overlay)
            for left, bottom, right, top in boxes:
                corners = (
                    left * scale,
                    (height - top) * scale,
                    right * scale,
                    (height - bottom) * scale,
                )
                pen.rectangle(corners, fill=FILL, outline=OUTLINE, width=2)
            image = Image.alpha_composite(image, overlay)
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG")
        return Page(out.getvalue(), bool(boxes))
    finally:
        pdf.close()


def _boxes(page: pdfium.PdfPage, sentence: str) -> list[tuple[float, float, float, float]]:
    """The line boxes (PDF points: left, bottom, right, top) of ``sentence`` on ``page``."""
    text = page.get_textpage()
    try:
        count = text.count_chars()
        chars = [chr(pdfium_c.FPDFText_GetUnicode(text.raw, i) or 32) for i in range(count)]
        span = locate(chars, sentence)
        if span is None:
            return []
        first, last = span
        return [text.get_rect(i) for i in range(text.count_rects(first, last - first + 1))]
    finally:
        text.close()
