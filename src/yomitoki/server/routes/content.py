"""``/content/NAME``: an indexed source file, never run as a page of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from yomitoki.errors import NotFoundError
from yomitoki.server.content import content_response
from yomitoki.server.routes import service_of
from yomitoki.server.service import Service

router = APIRouter()


@router.get("/content/{name:path}")
def content(name: str, service: Annotated[Service, Depends(service_of)]) -> Response:
    """The file of the document called ``name``, as ``server.content`` decides to send it."""
    doc = service.document(name)
    path = service.document_path(doc) if doc is not None else None
    if doc is None or path is None:
        raise NotFoundError("no such document")
    return content_response(path, doc.format, doc.name)
