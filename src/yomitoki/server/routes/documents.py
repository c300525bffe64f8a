"""``/documents``: list, upload (ingested like any other file, or nothing changes), delete."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from yomitoki import wire, wiring
from yomitoki.errors import FileTooLargeError, NotFoundError, UnsupportedFormatError
from yomitoki.ingest.names import check_part
from yomitoki.server.routes import service_of
from yomitoki.server.service import Service

router = APIRouter()
Served = Annotated[Service, Depends(service_of)]


@router.get("/documents")
def documents(service: Served) -> dict[str, Any]:
    """Every indexed document with its status."""
    return {"documents": [wire.document(d) for d in service.documents()]}


@router.post("/documents", status_code=201)
async def upload(
    service: Served,
    file: UploadFile = File(...),  # noqa: B008 - FastAPI style
    replace: bool = Query(False, description="Replace a document of the same name."),
) -> dict[str, Any]:
    """Upload a file; it is ingested like any other, or nothing changes."""
    name = check_part(file.filename or "")
    suffix = PurePath(name).suffix.lower()
    accepted = wiring.upload_types(service.settings)
    if suffix not in accepted:
        reason = f"'{suffix}' files are not accepted ({', '.join(accepted)})"
        raise UnsupportedFormatError(name, reason)
    limit = int(service.settings.upload_max_mb * 2**20)
    data = await file.read(limit + 1)
    if len(data) > limit:
        reason = f"uploads are limited to {service.settings.upload_max_mb:g} MiB"
        raise FileTooLargeError(name, reason)
    doc = await run_in_threadpool(service.add, name, data, replace)
    return wire.document(doc)


@router.delete("/documents/{doc_id}", status_code=204)
def delete(doc_id: int, service: Served) -> Response:
    """Remove a document (and its uploaded file) from the index."""
    if service.remove(doc_id) is None:
        raise NotFoundError(f"no document {doc_id}")
    return Response(status_code=204)
