"""``/documents``: list, upload (ingested like any other file, or nothing changes), delete.

Each principal sees only the documents it may read; a document it may not read does not
exist for it (404, as for an id that never existed). Uploads are named under ``uploads/``,
which no ingested folder may use; a user who is not an admin uploads into their own folder
(``uploads/alice/notes.pdf``), readable by themselves and the groups they choose among their
own (default: all of them).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from yomitoki import assemble, serialize
from yomitoki.errors import (
    FileTooLargeError,
    ForbiddenError,
    NotFoundError,
    UnsupportedFormatError,
)
from yomitoki.ingest.names import check_part
from yomitoki.server.routes import Asking, Served
from yomitoki.types import EVERYONE, Principal

router = APIRouter()


def upload_readers(principal: Principal, groups: list[str], everyone: bool) -> tuple[str, ...]:
    """Who may read an upload: the uploader and groups among their own (an admin: any
    groups, or everyone)."""
    if everyone and not principal.admin:
        raise ForbiddenError("only an admin may make an upload readable by everyone")
    if everyone or (principal.admin and not groups):
        return (EVERYONE,)
    foreign = sorted(set(groups) - principal.groups)
    if foreign and not principal.admin:
        raise ForbiddenError(f"you may share uploads only with your own groups, not {foreign}")
    chosen = groups or sorted(principal.groups)
    # The uploader always reads their own upload, whatever groups they leave.
    return assemble.readers(chosen, [principal.name])


@router.get("/documents")
def documents(service: Served, principal: Asking) -> dict[str, Any]:
    """The documents the principal may read; an admin also sees who may read each, and how
    the last sync of each folder and source went (names and counts others may not see)."""
    shown = [d for d in service.documents() if principal.can_read(d)]
    listing: dict[str, Any] = {
        "documents": [serialize.document(d, readers=principal.admin) for d in shown]
    }
    if principal.admin:
        listing["sources"] = [serialize.sync_state(s) for s in service.syncs()]
    return listing


@router.post("/documents", status_code=201)
async def upload(
    service: Served,
    principal: Asking,
    file: UploadFile = File(...),  # noqa: B008 - FastAPI style
    replace: bool = Query(False, description="Replace a document of the same name."),
    groups: Annotated[list[str], Query(description="Groups that may read it (your own).")] = [],  # noqa: B006
    everyone: bool = Query(False, description="Readable by every signed-in user (admins)."),
) -> dict[str, Any]:
    """Upload a file; it is ingested like any other, or nothing changes."""
    name = check_part(file.filename or "")
    readers = upload_readers(principal, groups, everyone)
    suffix = PurePath(name).suffix.lower()
    accepted = assemble.upload_types(service.settings)
    if suffix not in accepted:
        reason = f"'{suffix}' files are not accepted ({', '.join(accepted)})"
        raise UnsupportedFormatError(name, reason)
    limit = assemble.upload_bytes(service.settings)
    data = await file.read(limit + 1)
    if len(data) > limit:
        reason = f"uploads are limited to {service.settings.upload_max_mb:g} MiB"
        raise FileTooLargeError(name, reason)
    doc = await run_in_threadpool(service.add, principal, name, data, replace, readers)
    return serialize.document(doc, readers=principal.admin)


@router.delete("/documents/{doc_id}", status_code=204)
def delete(
    doc_id: Annotated[str, Path(max_length=64)], service: Served, principal: Asking
) -> Response:
    """Remove a document (and its uploaded file) from the index; ``doc_id`` is its public id
    (``/documents`` lists them)."""
    if service.remove(doc_id, principal) is None:
        raise NotFoundError("no such document")
    return Response(status_code=204)
