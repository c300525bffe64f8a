"""The Milvus engine: ``MilvusStore`` implements ``yomitoki.index.engine.Engine``.

Milvus has no transactions, so a write is ordered to keep the promises a reader relies on:

- A new document's chunks are written first, then its document row, which is what makes them
  visible (``passages`` drops a chunk without its document). A crash before the row leaves
  chunks nobody sees; the ingest that next calls ``collect_vectors`` deletes them (a
  ``pending:`` row in ``_meta`` records each write until it is done).
- A replaced document disappears only after its replacement is visible: a reader may see
  both versions for a moment, never neither.
- Two processes writing the same path converge on the newer document: each deletes only
  older rows for its path.

Ids are random 53-bit integers (exact in JavaScript), checked unused before each write, so
several ingest processes can write one index at once.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from yomitoki.backends.base import Vectors
from yomitoki.errors import ConfigError, StoreError
from yomitoki.index.engine import IndexStats, NewChunk, NewDocument
from yomitoki.index.milvus import schema
from yomitoki.index.milvus.client import MOST, Calls, MilvusOptions
from yomitoki.index.milvus.literals import encode, literal, literals, token
from yomitoki.index.milvus.records import (
    category_key,
    chunk_of,
    chunk_record,
    document_of,
    document_row,
    keyed_document_row,
)
from yomitoki.index.milvus.retrieval import BATCH, Retrieval, ids_in
from yomitoki.types import Chunk, Document

#: A write unfinished for this long is taken to have crashed.
ABANDONED_MS = 3_600_000
#: Chunk rows per insert (a chunk row holds up to a few hundred kB).
ROWS_PER_CALL = 100
_DOCUMENT_FIELDS = ["id", "record", "added"]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _newest_first(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-int(r["added"]), -int(r["id"])))


class MilvusStore(Retrieval):
    """An index in Milvus. Use as a context manager or call ``close()``."""

    def __init__(self, calls: Calls, options: MilvusOptions) -> None:
        super().__init__(calls, options.collection)
        self.options = options
        self.location = f"{options.uri} (collections {options.collection}_*)"

    @classmethod
    def open(cls, options: MilvusOptions, *, create: bool = True) -> MilvusStore:
        """Connect, creating the index's collections on first use when ``create``."""
        calls = Calls(options)
        store = cls(calls, options)
        if not calls.has(store.documents_name):
            if not create:
                calls.close()
                raise StoreError(
                    f"no index in Milvus at {store.location}; run 'yomitoki ingest FOLDER' first"
                )
            calls.create(store.meta_name, schema.create_meta)
            calls.create(store.documents_name, schema.create_documents)
        return store

    def close(self) -> None:
        """Disconnect."""
        self.calls.close()

    def drop(self) -> None:
        """Delete the index: its three collections and everything in them."""
        for name in (self.chunks_name, self.documents_name, self.meta_name):
            self.calls.drop(name)
        self._has_chunks = False

    def __enter__(self) -> MilvusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the embedding model ---------------------------------------------------------------

    def _meta(self, key: str) -> Any:
        rows = self.calls.query(self.meta_name, f"key == {literal(key)}", ["value"])
        return json.loads(rows[0]["value"]) if rows else None

    def model(self) -> str | None:
        """The embedder model the index is bound to, if any."""
        bound = self._meta("embedder")
        return str(bound["model"]) if bound else None

    def bind_model(self, model_id: str, dim: int) -> None:
        """Record the embedder on first use (and make the chunk collection for its vectors);
        refuse a different one afterwards."""
        bound = self._meta("embedder")
        if bound is None:
            value = json.dumps({"model": model_id, "dim": dim})
            self.calls.upsert(self.meta_name, [{"key": "embedder", "value": value, "dot": [1, 0]}])
            bound = {"model": model_id, "dim": dim}
        if bound["model"] != model_id:
            raise ConfigError(
                f"index {self.location} holds vectors of '{bound['model']}', not '{model_id}'; "
                "use the same embedder or another collection"
            )
        if int(bound.get("dim", dim)) != dim:
            raise ConfigError(
                f"index {self.location} holds {bound['dim']}-dimensional vectors of "
                f"'{model_id}', but the embedder now gives {dim}; use another index for it"
            )
        if not self.has_chunks():
            index_type = self.options.index_type
            self.calls.create(
                self.chunks_name,
                lambda client, name: schema.create_chunks(client, name, dim, index_type),
            )

    # -- reading ---------------------------------------------------------------------------

    def _documents(self, expression: str) -> list[Document]:
        """The documents ``expression`` admits; of two with one path, the newer."""
        rows = self.calls.each(self.documents_name, expression, _DOCUMENT_FIELDS)
        by_path: dict[str, Document] = {}
        for row in _newest_first(rows):
            doc = document_of(row)
            by_path.setdefault(doc.path, doc)
        return list(by_path.values())

    def documents(self, root: str | None = None) -> list[Document]:
        """All documents, or those ingested from ``root``, ordered by name."""
        expression = f"root_key == {literal(encode(root))}" if root is not None else ""
        return sorted(self._documents(expression), key=lambda d: (d.name, d.path))

    def document_by_path(self, path: str) -> Document | None:
        """The document stored for the absolute ``path``."""
        found = self._documents(f"path_key == {literal(encode(path))}")
        return found[0] if found else None

    def document(self, doc_id: int) -> Document | None:
        """The document with id ``doc_id``."""
        return self.documents_by_id([doc_id]).get(doc_id)

    def document_named(self, name: str) -> Document | None:
        """The document called ``name``; None also when two files hold it (written before
        names were kept unique), so a name never opens one document for another. (One file
        being replaced has two rows for a moment: the newer is it.)"""
        found = self._documents(f"name_key == {literal(encode(name))}")
        if len({d.path for d in found}) != 1:
            return None
        return max(found, key=lambda d: d.id)

    def _chunk_rows(self, document_id: int) -> list[dict[str, Any]]:
        if not self.has_chunks():
            return []
        rows = self.calls.each(
            self.chunks_name, f"document_id == {int(document_id)}", schema.CHUNK_FIELDS
        )
        return sorted(rows, key=lambda r: int(r["ordinal"]))

    def chunks(self, document_id: int) -> list[Chunk]:
        """A document's chunks in order."""
        return [chunk_of(row) for row in self._chunk_rows(document_id)]

    def stats(self) -> IndexStats:
        """Counts of documents and chunks (each chunk row holds its vector); Milvus does not
        tell a client the bytes a collection takes."""
        documents = len(self._documents(""))
        chunks = self._chunk_count()
        return IndexStats(documents, chunks, chunks, self.model(), None)

    def missing_vectors(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` no chunk holds a vector for yet."""
        wanted = set(keys)
        return wanted - set(self._stored_vectors(wanted, with_vectors=False))

    def _stored_vectors(self, keys: Iterable[str], with_vectors: bool) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if not self.has_chunks():
            return found
        wanted = sorted(keys)
        fields = ["vector_key", "vector"] if with_vectors else ["vector_key"]
        for start in range(0, len(wanted), BATCH):
            part = wanted[start : start + BATCH]
            rows = self.calls.query(
                self.chunks_name, f"vector_key in {literals(part)}", fields, limit=MOST
            )
            for row in rows:
                found[str(row["vector_key"])] = row.get("vector")
            if len(rows) < MOST:
                continue
            # A key held by many chunks can crowd others out of a full call: ask for each
            # key still unseen alone (one row is enough).
            for key in part:
                if key not in found:
                    one = f"vector_key == {literal(key)}"
                    for row in self.calls.query(self.chunks_name, one, fields, limit=1):
                        found[str(row["vector_key"])] = row.get("vector")
        return found

    # -- writing ---------------------------------------------------------------------------

    def _fresh_ids(self, name: str, count: int) -> list[int]:
        """``count`` random positive 53-bit ids no row of ``name`` has."""
        ids: list[int] = []
        while len(ids) < count:
            drawn = list({secrets.randbits(53) or 1 for _ in range(count - len(ids))})
            taken: set[int] = set()
            for start in range(0, len(drawn), BATCH):
                rows = self.calls.query(name, ids_in("id", drawn[start : start + BATCH]), ["id"])
                taken.update(int(r["id"]) for r in rows)
            ids += [i for i in drawn if i not in taken and i not in ids]
        return ids[:count]

    def put_document(
        self,
        doc: NewDocument,
        chunks: Sequence[NewChunk],
        vectors: Mapping[str, Vectors],
        replaces: int | None = None,
    ) -> int:
        """Store a document with its chunks, replacing ``replaces`` and older rows of its path.

        Vectors not in ``vectors`` are copied from the chunks that hold them already.
        """
        if not self.has_chunks():
            raise StoreError(f"index {self.location} has no embedding model bound yet")
        known = {key: np.asarray(v, dtype=np.float32).tolist() for key, v in vectors.items()}
        wanted = {new.vector_key for new in chunks} - known.keys()
        known.update(self._stored_vectors(wanted, with_vectors=True))
        lost = wanted - known.keys()
        if lost:
            raise StoreError(
                f"{len(lost)} vectors of {doc.name} were removed by another writer meanwhile; "
                "ingest it again"
            )
        added = _now_ms()
        (doc_id,) = self._fresh_ids(self.documents_name, 1)
        pending = f"pending:{doc_id}"
        self.calls.upsert(
            self.meta_name, [{"key": pending, "value": json.dumps(added), "dot": [1, 0]}]
        )
        ids = self._fresh_ids(self.chunks_name, len(chunks))
        rows = [
            self._chunk_row(chunk_id, doc_id, doc, new, known[new.vector_key], added)
            for chunk_id, new in zip(ids, chunks, strict=True)
        ]
        for start in range(0, len(rows), ROWS_PER_CALL):
            self.calls.insert(self.chunks_name, rows[start : start + ROWS_PER_CALL])
        tokens = sum(len(new.terms) for new in chunks)
        row = document_row(doc, doc_id, len(chunks), tokens, added)
        self.calls.insert(self.documents_name, [row])
        self.forget_frequencies()
        self.calls.delete(self.meta_name, f"key == {literal(pending)}")
        older = [replaces] if replaces is not None else []
        older += self._older_of_path(doc.path, doc_id, added)
        for old in dict.fromkeys(older):
            if old != doc_id:
                self.remove_document(old)
        return doc_id

    def _older_of_path(self, path: str, doc_id: int, added: int) -> list[int]:
        """Rows for ``path`` written before document ``doc_id`` (added at ``added``)."""
        expression = f"path_key == {literal(encode(path))}"
        rows = self.calls.query(self.documents_name, expression, ["id", "added"], limit=MOST)
        return [int(r["id"]) for r in rows if (int(r["added"]), int(r["id"])) < (added, doc_id)]

    @staticmethod
    def _chunk_row(
        chunk_id: int,
        doc_id: int,
        doc: NewDocument,
        new: NewChunk,
        vector: list[float],
        added: int,
    ) -> dict[str, Any]:
        tokens = [token(t) for t in new.terms]
        vocabulary = list(dict.fromkeys(tokens))[: schema.VOCABULARY]
        return {
            "id": chunk_id,
            "document_id": doc_id,
            "ordinal": new.chunk.ordinal,
            "added": added,
            "vector_key": new.vector_key,
            "name_key": encode(doc.name),
            "category_key": category_key(doc.category),
            "readers": [encode(r) for r in sorted(doc.readers)],
            "words": " ".join(tokens),
            "vocabulary": vocabulary,
            "vector": vector,
            "text": new.chunk.text,
            "norm_text": new.chunk.norm_text,
            "record": chunk_record(new.chunk),
        }

    def _rewrite(self, doc_id: int, record: dict[str, Any], added: int) -> None:
        """Write document ``doc_id`` with ``record``, and its chunks' copies of its fields."""
        self.calls.upsert(self.documents_name, [keyed_document_row(doc_id, record, added)])
        rows = self._chunk_rows(doc_id)
        for row in rows:
            row["name_key"] = encode(record["name"])
            row["category_key"] = category_key(record["category"])
            row["readers"] = [encode(r) for r in record["readers"]]
        for start in range(0, len(rows), ROWS_PER_CALL):
            self.calls.upsert(self.chunks_name, rows[start : start + ROWS_PER_CALL])
        self.forget_frequencies()  # its readers may have changed

    def _record(self, doc_id: int) -> tuple[dict[str, Any], int] | None:
        rows = self.calls.query(self.documents_name, ids_in("id", [doc_id]), _DOCUMENT_FIELDS)
        if not rows:
            return None
        return dict(json.loads(rows[0]["record"])), int(rows[0]["added"])

    def move_document(self, doc_id: int, path: str, name: str, root: str, mtime_ns: int) -> None:
        """Point a document at its new path after a rename; nothing is re-embedded."""
        found = self._record(doc_id)
        if found is None:
            return
        record, added = found
        record.update(path=path, name=name, root=root, mtime_ns=mtime_ns)
        for old in self._older_of_path(path, doc_id, 2**62):
            if old != doc_id:
                self.remove_document(old)
        self._rewrite(doc_id, record, added)

    def touch_document(
        self, doc_id: int, mtime_ns: int, category: str | None, readers: tuple[str, ...]
    ) -> None:
        """Record a new modification time, category and readers for content that did not
        change: nothing is re-parsed or re-embedded."""
        found = self._record(doc_id)
        if found is None:
            return
        record, added = found
        record.update(mtime_ns=mtime_ns, category=category, readers=sorted(readers))
        self._rewrite(doc_id, record, added)

    def remove_document(self, doc_id: int) -> None:
        """Delete a document, then its chunks (hidden already once the document is gone)."""
        self.calls.delete(self.documents_name, ids_in("id", [doc_id]))
        if self.has_chunks():
            self.calls.delete(self.chunks_name, f"document_id == {int(doc_id)}")
        self.forget_frequencies()

    def collect_vectors(self) -> int:
        """Delete the chunks of writes that crashed before their document row (an hour
        old, so a write in progress elsewhere is left alone); how many went.

        Vectors live in their chunks' rows here, so nothing else is ever left over.
        """
        rows = self.calls.query(self.meta_name, 'key like "pending:%"', ["key", "value"], MOST)
        cutoff = _now_ms() - ABANDONED_MS
        removed = 0
        for row in rows:
            if int(json.loads(row["value"])) > cutoff:
                continue
            doc_id = int(str(row["key"]).removeprefix("pending:"))
            if self.document(doc_id) is None and self.has_chunks():
                expression = f"document_id == {doc_id}"
                removed += self.calls.count(self.chunks_name, expression)
                self.calls.delete(self.chunks_name, expression)
            self.calls.delete(self.meta_name, f"key == {literal(str(row['key']))}")
        self.forget_frequencies()
        return removed
