"""Images of pages (PNG, JPEG, TIFF, BMP) read by OCR: one section per frame of a TIFF.

Only the header is read before the size check, so an image that claims 30,000 x 30,000
pixels is refused before a byte of it is decompressed.
"""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from yomitoki.errors import CorruptFileError, EmptyDocumentError, FileTooLargeError
from yomitoki.ingest.ocr.reader import PageFailure, PageReader
from yomitoki.text.normalize import reflow
from yomitoki.types import Location, ParsedDocument, Section

#: Frames of one file read at most (a TIFF may claim millions).
MAX_FRAMES = 2000


def _too_large(path: Path, size: tuple[int, int], limit: int) -> FileTooLargeError:
    width, height = size
    return FileTooLargeError(
        path,
        f"image is {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} MP), over the "
        f"{limit / 1e6:,.0f} MP limit (a decompression bomb?); refused",
    )


def _frame(image: Image.Image, number: int, path: Path, limit: int) -> Image.Image:
    """Frame ``number`` in grey, upright by its EXIF orientation; refused over ``limit``."""
    image.seek(number)
    if image.width * image.height > limit:
        raise _too_large(path, image.size, limit)
    frame = ImageOps.exif_transpose(image) if number == 0 else image
    return frame.convert("L")


def parse(path: Path, ocr: PageReader | None = None) -> ParsedDocument:
    """Read every frame of the image; a multi-frame image's frames are its pages."""
    if ocr is None or not ocr.enabled:
        raise EmptyDocumentError(path, "an image's text is read by OCR, which is off (setting ocr)")
    limit = ocr.options.max_pixels
    try:
        with warnings.catch_warnings():
            # The size is checked below against the setting, not Pillow's default.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError(path, f"image refused as a decompression bomb ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        detail = f" ({exc})" if not isinstance(exc, UnidentifiedImageError) else ""
        raise CorruptFileError(path, f"not a readable {path.suffix} image{detail}") from None
    with image:
        if image.width * image.height > limit:
            raise _too_large(path, image.size, limit)
        frames = min(getattr(image, "n_frames", 1), MAX_FRAMES)
        readings = ocr.read((n, partial(_frame, image, n, path, limit)) for n in range(frames))
    paged = frames > 1
    sections: list[Section] = []
    problems: list[str] = []
    for number in range(frames):
        reading = readings[number]
        where = f"page {number + 1}" if paged else "image"
        if isinstance(reading, PageFailure):
            problems.append(f"{where}: {reading.reason}")
        elif text := reflow(reading.text):
            location = Location(page=number + 1) if paged else Location()
            sections.append(Section(text, location, ocr=round(reading.confidence, 3)))
    if not sections:
        detail = problems[0] if problems else "OCR found no text"
        raise EmptyDocumentError(path, f"no text read from the image ({detail})")
    pages = frames if paged else None
    return ParsedDocument(tuple(sections), pages=pages, warnings=tuple(problems))
