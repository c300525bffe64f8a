"""``/content/NAME``: an indexed source file, never run as a page of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from yomitoki.errors import NotFoundError
from yomitoki.server.content import content_response
from yomitoki.server.routes import Asking, Served

router = APIRouter()


@router.get("/content/{name:path}")
def content(
    name: str,
    service: Served,
    principal: Asking,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """The file of the document called ``name``, as ``server.content`` decides to send it;
    one the principal may not read is as absent as one that never existed. ``page`` picks
    the page of a multi-page scan (TIFF), which is sent as PNG."""
    doc = service.document(name)
    path = service.document_path(doc) if doc is not None and principal.can_read(doc) else None
    if doc is None or path is None:
        raise NotFoundError("no such document")
    return content_response(path, doc.format, doc.name, page)
