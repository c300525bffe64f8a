"""Rows of the Milvus collections to and from yomitoki's types.

What filters compare is stored encoded (``literals.encode``); what is only given back (a
document's fields, a chunk's location) is kept as one JSON string per row.
"""

from __future__ import annotations

import json
from typing import Any

from yomitoki.index.engine import NewDocument
from yomitoki.index.milvus.literals import encode
from yomitoki.types import Chunk, Document, Hit, Location

#: Empty category: Milvus Lite has no NULL, and no category is stored as "".
NO_CATEGORY = ""


def pack(value: object) -> str:
    """JSON of ``value``: UTF-8 as is, ASCII escapes where the text is not valid UTF-8."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a file name read with surrogateescape)
        return json.dumps(value, ensure_ascii=True)
    return text


def category_key(category: str | None) -> str:
    """The stored, comparable form of a category."""
    return encode(category) if category else NO_CATEGORY


#: Fields of a document record that are the engine's own (not ``Document``'s).
_OWN = ("tokens",)


def document_row(
    doc: NewDocument, doc_id: int, chunks: int, tokens: int, added: int
) -> dict[str, Any]:
    """The ``documents`` row of a new document of ``chunks`` chunks holding ``tokens``
    keyword tokens in all (BM25's lengths, summed)."""
    record = {
        "path": doc.path, "name": doc.name, "root": doc.root, "format": doc.format,
        "content_hash": doc.content_hash, "size": doc.size, "mtime_ns": doc.mtime_ns,
        "chunks": chunks, "title": doc.title, "pages": doc.pages, "category": doc.category,
        "chunking": doc.chunking, "readers": sorted(doc.readers), "tokens": tokens,
    }  # fmt: skip
    return keyed_document_row(doc_id, record, added)


def keyed_document_row(doc_id: int, record: dict[str, Any], added: int) -> dict[str, Any]:
    """A ``documents`` row from its record, with the encoded keys filters compare."""
    return {
        "id": doc_id,
        "path_key": encode(record["path"]),
        "name_key": encode(record["name"]),
        "root_key": encode(record["root"]),
        "record": pack(record),
        "added": added,
        "dot": [1.0, 0.0],
    }


def document_of(row: dict[str, Any]) -> Document:
    """A Document from its row."""
    record = json.loads(row["record"])
    record["readers"] = tuple(record["readers"])
    for field in _OWN:
        record.pop(field, None)
    return Document(id=int(row["id"]), **record)


def tokens_of(row: dict[str, Any]) -> int | None:
    """How many keyword tokens a document's chunks hold; None for a row written before
    documents recorded it."""
    tokens = json.loads(row["record"]).get("tokens")
    return None if tokens is None else int(tokens)


def chunk_record(chunk: Chunk) -> str:
    """What a chunk row keeps of a chunk beside its text: location and offsets."""
    loc = chunk.location
    return pack(
        {
            "page": loc.page, "slide": loc.slide, "sheet": loc.sheet,
            "rows": list(loc.rows) if loc.rows else None, "heading": list(loc.heading),
            "page_end": loc.page_end, "section": chunk.section, "start": chunk.start,
            "end": chunk.end, "page_breaks": [list(p) for p in chunk.page_breaks],
            "ocr": chunk.ocr,
        }
    )  # fmt: skip


def _location(record: dict[str, Any]) -> Location:
    rows = record["rows"]
    return Location(
        record["page"],
        record["slide"],
        record["sheet"],
        (int(rows[0]), int(rows[1])) if rows else None,
        tuple(record["heading"]),
        record["page_end"],
    )


def _page_breaks(record: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    return tuple((int(offset), int(page)) for offset, page in record["page_breaks"])


def chunk_of(row: dict[str, Any]) -> Chunk:
    """A Chunk from its row."""
    record = json.loads(row["record"])
    return Chunk(
        ordinal=int(row["ordinal"]),
        text=row["text"],
        norm_text=row["norm_text"],
        location=_location(record),
        section=record["section"],
        start=record["start"],
        end=record["end"],
        page_breaks=_page_breaks(record),
        ocr=record["ocr"],
    )


def hit_of(row: dict[str, Any], document: Document) -> Hit:
    """A chunk row of ``document`` as a hit with no score yet."""
    record = json.loads(row["record"])
    return Hit(
        chunk_id=int(row["id"]),
        document=document.name,
        location=_location(record),
        text=row["text"],
        score=0.0,
        category=document.category,
        title=document.title,
        page_breaks=_page_breaks(record),
        ocr=record["ocr"],
    )
