"""``/content/NAME``: an indexed source file, never run as a page of this app; ``/page/NAME``:
one page of it drawn as an image, a cited sentence highlighted; ``/view/NAME``: a document
without pages as its text to read, the cited sentence marked."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response

from yomitoki import assemble
from yomitoki.errors import NotFoundError
from yomitoki.ingest.parsers import parse_file
from yomitoki.server import highlight, reading
from yomitoki.server.files import content_response, page_image
from yomitoki.server.routes import Asking, Served
from yomitoki.server.security import DOCUMENT_POLICY
from yomitoki.server.service import Service
from yomitoki.types import Document, Principal

router = APIRouter()


def readable_file(service: Service, principal: Principal, name: str) -> tuple[Document, Path]:
    """The document called ``name`` and its file; one the principal may not read, or whose
    file is gone or outside its folder, is as absent as one that never existed (404)."""
    doc = service.document(name)
    path = service.document_path(doc) if doc is not None and principal.can_read(doc) else None
    if doc is None or path is None:
        raise NotFoundError("no such document")
    return doc, path


@router.get("/content/{name:path}")
def content(
    name: str,
    service: Served,
    principal: Asking,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """The file of the document called ``name``, as ``server.files`` decides to send it;
    one the principal may not read is as absent as one that never existed. ``page`` picks
    the page of a multi-page scan (TIFF), which is sent as PNG."""
    doc, path = readable_file(service, principal, name)
    # Only a scan is drawn (as PNG); other files are sent as they are.
    with service.drawing() if doc.format == "image" else nullcontext():
        return content_response(path, doc.format, doc.name, service.max_pixels, page)


@router.get("/page/{name:path}")
def page(
    name: str,
    service: Served,
    principal: Asking,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    highlight_: Annotated[str | None, Query(alias="highlight", max_length=2000)] = None,
) -> Response:
    """Page ``page`` of the PDF or scan called ``name`` as PNG, with the sentence
    ``highlight`` marked where the page says it (header ``X-Highlight``: ``found`` or
    ``none``; ``X-Highlight-Box``: its left, top, right and bottom as shares of the page's
    width and height); a scan is read by OCR to find it. Unreadable documents are as absent as on
    ``/content``."""
    doc, path = readable_file(service, principal, name)
    # Tesseract is looked for only when there is a sentence to find on a scan.
    reader = service.word_reader if highlight_ else None
    if doc.format not in ("pdf", "image"):
        raise NotFoundError("the document has no pages to draw")
    with service.drawing():
        if doc.format == "pdf":
            drawn = highlight.draw(path, page, highlight_, reader)
        else:
            image = page_image(path, page, service.max_pixels)
            drawn = highlight.mark_scan(image, highlight_, reader)
    headers = {"Content-Security-Policy": DOCUMENT_POLICY, "X-Highlight": "none"}
    if drawn.where is not None:
        headers["X-Highlight"] = "found"
        headers["X-Highlight-Box"] = ",".join(f"{share:.4f}" for share in drawn.where)
    return Response(drawn.png, media_type="image/png", headers=headers)


@router.get("/view/{name:path}")
def view(
    name: str,
    service: Served,
    principal: Asking,
    highlight_: Annotated[str | None, Query(alias="highlight", max_length=2000)] = None,
) -> Response:
    """The document called ``name`` (one without pages: Markdown, HTML, Word, PowerPoint,
    Excel, text) as an HTML page of its text, all of it escaped and served sandboxed, with
    the sentence ``highlight`` in ``<mark id="cited">`` (header ``X-Highlight``: ``found`` or
    ``none``). PDFs and scans are drawn by ``/page``."""
    doc, path = readable_file(service, principal, name)
    if doc.format in ("pdf", "image"):
        raise NotFoundError("a PDF or a scan is drawn page by page: see /page")
    with service.drawing():
        parsed = parse_file(path, assemble.max_bytes(service.settings))
        shown = reading.render(parsed, doc.title or doc.name, highlight_)
    headers = {
        "Content-Security-Policy": DOCUMENT_POLICY,
        "X-Highlight": "found" if shown.found else "none",
    }
    return Response(shown.html, media_type="text/html; charset=utf-8", headers=headers)
