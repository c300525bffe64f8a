"""Every domain type as JSON, in one shape each: the CLI's ``--json``, HTTP and MCP all use these.

Scores are rounded to four places (what a person or a client compares); nothing else is
reshaped. A local path (``path``, ``root``) is included only where asked for: the CLI shows
where a document's file is, the HTTP API never tells a client the server's folders.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from yomitoki.types import (
    Answer,
    Context,
    Document,
    FileResult,
    Hit,
    IngestReport,
    Location,
    Outcome,
    SyncState,
)

JSON = dict[str, Any]


def location(loc: Location) -> JSON:
    """A location's fields and its human form (``where``)."""
    return {**asdict(loc), "where": loc.describe()}


def hit(h: Hit) -> JSON:
    """A retrieved passage: its citation, where it is, every leg's rank and score, its text."""
    return {
        "citation": h.citation(),
        "document": h.document,
        "title": h.title,
        "category": h.category,
        "location": location(h.location),
        "score": round(h.score, 4),
        "legs": {k: {"rank": v.rank, "score": round(v.score, 4)} for k, v in h.legs.items()},
        "text": h.text,
        # Read from a scan: OCR's confidence (0 to 1); null for the file's own text.
        "ocr": h.ocr,
    }


def document(doc: Document, paths: bool = False, readers: bool = False) -> JSON:
    """An indexed document; ``paths`` adds where its file is (for a local user only) and
    ``readers`` who may read it (for an admin only)."""
    out: JSON = {
        "id": doc.public_id,
        "name": doc.name,
        "format": doc.format,
        "title": doc.title,
        "pages": doc.pages,
        "chunks": doc.chunks,
        "category": doc.category,
        "size": doc.size,
        "content_hash": doc.content_hash,
        "chunking": doc.chunking,
        "status": "indexed",
    }
    if paths:
        out |= {"path": doc.path, "root": doc.root, "mtime_ns": doc.mtime_ns}
    if readers:
        out["readers"] = list(doc.readers)
    return out


def ingest_report(report: IngestReport) -> JSON:
    """What an ingest run did: counts by outcome, then file by file."""
    return {
        "root": report.root,
        "index": report.index,
        "seconds": round(report.seconds, 3),
        "summary": {o.value: report.count(o) for o in Outcome},
        "chunks": sum(r.chunks for r in report.results if r.outcome is not Outcome.REMOVED),
        "files": [file_result(r) for r in report.results],
        "warnings": list(report.warnings),
    }


def sync_state(state: SyncState) -> JSON:
    """A source's last sync: when it ended, its files by outcome, and its error if any."""
    return {
        "source": state.source,
        "ended": state.ended,
        "counts": dict(state.counts),
        "error": state.error,
        "failures": state.failures,
    }


def file_result(r: FileResult) -> JSON:
    """One file of an ingest run; warnings and OCR pages only where there are some."""
    empty: tuple[object, ...] = (None, (), 0)
    return {
        k: v
        for k, v in asdict(r).items()
        if v is not None and not (k in ("warnings", "ocr_pages") and v in empty)
    }


def context(c: Context) -> JSON:
    """The thought process: question, query, language, hits and the prompt sent."""
    return {
        "question": c.question,
        "query": c.query,
        "language": c.language,
        "hits": [hit(h) for h in c.hits],
        "prompt": [asdict(m) for m in c.prompt],
    }


def answer(a: Answer) -> JSON:
    """The final answer and everything said about it (support, removed citations, timings)."""
    return {**asdict(a), "unsupported": [s.sentence for s in a.unsupported]}


def short_answer(context: Context, answer: Answer) -> JSON:
    """An answer as a tool caller takes it (MCP's ``ask``): the text, what it cites, whether
    it is "I don't know", the query searched and the sentences no passage supports."""
    return {
        "answer": answer.text,
        "citations": list(answer.citations),
        "dont_know": answer.dont_know,
        "query": context.query,
        "unsupported": [s.sentence for s in answer.unsupported],
    }


def passages(given: dict[str, list[str]]) -> list[JSON]:
    """The passages an answer was written from, one object each: ``{citation, text}``."""
    return [{"citation": c, "text": text} for c, texts in given.items() for text in texts]
