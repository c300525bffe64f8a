"""``/content``: an indexed file as the document panel shows it, never as a page of the app.

Anything a browser could run (HTML, XHTML, SVG, XML, unknown types) is sent as its source in
``text/plain; charset=utf-8``, decoded the way ingest decoded it (Shift_JIS and EUC-JP files
arrive as UTF-8), under ``Content-Security-Policy: sandbox``. PDFs go to the browser's viewer;
images (scans read by OCR) are sent as PNG of the page asked for, never as the bytes
uploaded; Office files are downloads. ``nosniff`` comes with every response of the app
(``security.headers_for``).
"""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path

from fastapi.responses import FileResponse, Response
from PIL import Image, UnidentifiedImageError

from yomitoki.errors import FileTooLargeError, NotFoundError, ParseError
from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.server.highlight import MAX_PIXELS
from yomitoki.server.security import DOCUMENT_POLICY, PDF_POLICY

# Formats whose text ingest reads as a whole file; shown as that text.
_TEXT_FORMATS = frozenset({"text", "markdown", "csv", "json", "html"})
_DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def page_image(path: Path, page: int, max_pixels: int) -> Image.Image:
    """Page ``page`` (1-based frame) of the image at ``path``, loaded and no larger than
    ``MAX_PIXELS``; a frame over ``max_pixels`` (ingest's cap, a decompression bomb) is
    refused from its header, before anything is decoded."""
    try:
        with warnings.catch_warnings():
            # The size is checked below against the setting, not Pillow's default.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, ValueError):
        raise NotFoundError("the image cannot be drawn") from None
    with image:
        frames = getattr(image, "n_frames", 1)
        if not 1 <= page <= frames:
            raise NotFoundError(f"the image has no page {page}")
        image.seek(page - 1)
        width, height = image.size
        if width * height > max_pixels:
            reason = (
                f"page {page} is {width}x{height} pixels, over the cap of "
                f"{max_pixels / 1e6:g} megapixels (setting ocr_max_megapixels)"
            )
            raise FileTooLargeError(path.name, reason)
        # JPEG decodes at a fraction of its size when asked first; others are reduced after.
        shrink = math.sqrt(MAX_PIXELS / max(1, width * height))
        if shrink < 1:
            image.draft(image.mode, (int(width * shrink), int(height * shrink)))
        try:
            image.load()
        except (OSError, ValueError):
            raise NotFoundError("the image cannot be drawn") from None
        factor = math.ceil(math.sqrt(image.width * image.height / MAX_PIXELS))
        frame = image.reduce(factor) if factor > 1 else image
        return frame.convert("RGB" if frame.mode not in ("1", "L") else frame.mode)


def page_png(path: Path, page: int, max_pixels: int) -> bytes:
    """Page ``page`` (1-based frame) of the image at ``path``, drawn as PNG."""
    out = io.BytesIO()
    page_image(path, page, max_pixels).save(out, "PNG")
    return out.getvalue()


def content_response(
    path: Path, format: str, name: str, max_pixels: int, page: int | None = None
) -> Response:
    """The response for the indexed file at ``path`` of yomitoki format ``format``;
    ``page`` picks the frame of a multi-page image (no larger than ``max_pixels``)."""
    if format == "image":
        png = page_png(path, page or 1, max_pixels)
        return Response(
            png, media_type="image/png", headers={"Content-Security-Policy": DOCUMENT_POLICY}
        )
    if format == "pdf":
        return FileResponse(
            path,
            media_type="application/pdf",
            content_disposition_type="inline",
            headers={"Content-Security-Policy": PDF_POLICY},
        )
    sandboxed = {"Content-Security-Policy": DOCUMENT_POLICY}
    if format in _DOWNLOADS:
        return FileResponse(
            path, media_type=_DOWNLOADS[format], filename=Path(name).name, headers=sandboxed
        )
    if format in _TEXT_FORMATS:
        try:
            text = read_text(path)
        except ParseError:
            text = path.read_bytes().decode("utf-8", errors="replace")
        return Response(text, media_type="text/plain; charset=utf-8", headers=sandboxed)
    # A format added later without a rule here is a download, never a page.
    return FileResponse(
        path, media_type="application/octet-stream", filename=Path(name).name, headers=sandboxed
    )
