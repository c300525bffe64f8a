"""One index served: its answerer, its documents, and uploads that replace nothing on failure."""

from __future__ import annotations

import functools
import hashlib
import shutil
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePath

from yomitoki import assemble, syncing
from yomitoki.errors import BusyError, ForbiddenError, InvalidNameError, NameTakenError, ParseError
from yomitoki.index.engine import Engine
from yomitoki.ingest import cache
from yomitoki.ingest.names import UPLOADS, check_part, upload_name
from yomitoki.ingest.ocr.tesseract import Tesseract
from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.scan import SourceFile, file_hash
from yomitoki.rag.answer import Answerer, AnswerOptions
from yomitoki.server.audit import AuditLog, audited
from yomitoki.settings import Settings
from yomitoki.types import (
    EVERYONE,
    LOCAL_ADMIN,
    Document,
    Event,
    IngestReport,
    Message,
    Principal,
    SyncState,
)

STAGING = ".staging"


class Service:
    """The served index: documents, uploads, deletes, and the answerer over them."""

    def __init__(self, settings: Settings, answerer: Answerer | None = None) -> None:
        self.settings = settings
        self.answerer = answerer or assemble.open_answerer(settings, create=True)
        self.uploads = (settings.upload_dir or settings.index.parent / "uploads").resolve()
        self._lock = threading.Lock()
        self.audit_log = AuditLog(settings.audit_log) if settings.audit_log else None
        self._renders = threading.BoundedSemaphore(settings.page_renders)
        #: The most pixels a page image may have to be drawn (ingest's cap too).
        self.max_pixels = assemble.max_pixels(settings)

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """One of the ``page_renders`` pages drawn at once; BusyError when all are taken,
        so a burst of large pages waits at the client, not in this process's memory."""
        if not self._renders.acquire(blocking=False):
            raise BusyError("the server is drawing as many pages as it may; try again shortly")
        try:
            yield
        finally:
            self._renders.release()

    @functools.cached_property
    def word_reader(self) -> Tesseract | None:
        """Tesseract, to find a cited sentence on a scan (None: OCR off or not installed)."""
        return assemble.word_reader(self.settings)

    @contextmanager
    def _writing(self) -> Iterator[Engine]:
        # One writer per process (threads) and per index (other processes: the CLI). A request
        # does not wait minutes for someone's ingest: it gets 503 and may try again.
        with self._lock, assemble.writing(self.settings, wait=False) as engine:
            yield engine

    def documents(self) -> list[Document]:
        """Every indexed document."""
        with assemble.open_engine(self.settings) as engine:
            return engine.documents()

    def document(self, name: str) -> Document | None:
        """The indexed document called ``name``."""
        with assemble.open_engine(self.settings) as engine:
            return engine.document_named(name)

    def sync(self, target: str) -> IngestReport:
        """Sync the folder or source ``target`` (the setting ``sources``), as the one writer:
        it waits for another writer, and uploads meanwhile get 503."""
        return syncing.sync(self.settings, target, wait=True)

    def syncs(self) -> list[SyncState]:
        """How the last sync of each folder and source went."""
        return syncing.states(self.settings)

    def document_path(self, doc: Document) -> Path | None:
        """The file of ``doc``: a source's document's bytes as ingested (``ingest.cache``),
        or a folder's file if it is still a regular file safely inside its root."""
        if cache.is_sourced(doc.root):
            return cache.kept_for(assemble.source_cache(self.settings), doc)
        path, root = Path(doc.path), Path(doc.root)
        try:
            real, real_root = path.resolve(strict=True), root.resolve(strict=True)
        except OSError:
            return None
        inside = real == path and real.is_relative_to(real_root)
        return real if inside and real.is_file() and not path.is_symlink() else None

    def add(
        self,
        principal: Principal,
        file: str,
        data: bytes,
        replace_existing: bool = False,
        readers: tuple[str, ...] = (EVERYONE,),
    ) -> Document:
        """Ingest ``principal``'s upload of ``file`` readable by ``readers``; the index and
        the upload folder change only when it fully succeeds.

        It is named ``uploads/FOLDER/FILE`` (the uploader's own folder; an admin's upload:
        ``uploads/FILE``), a name no ingested folder can hold, so it can only meet the
        uploader's own earlier uploads. The bytes are parsed, chunked and embedded from a
        staging folder; then the file is moved into place and the document written in one
        transaction. A failure at any step leaves the previous version (file and index
        entries) exactly as it was.
        """
        folder = None if principal.admin else self.upload_folder(principal)
        name = upload_name(folder, file)
        with self._writing() as store:
            taken = store.document_named(name)
            if taken is None:  # an upload from before uploads had their own folder
                taken = store.document_by_path(str(self._file_of(name)))
            if taken is not None and not replace_existing:
                raise NameTakenError(
                    f"a document called '{name}' exists; send replace=true to replace it"
                )
            if taken is not None and not self.uploaded(taken):
                raise NameTakenError(
                    f"'{name}' was ingested from a folder, not uploaded; upload it under "
                    "another name or change it in its folder"
                )
            staging = self.uploads / STAGING / uuid.uuid4().hex
            staging.mkdir(parents=True)
            try:
                return self._swap_in(store, staging, name, data, taken, readers)
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def _swap_in(
        self,
        store: Engine,
        staging: Path,
        name: str,
        data: bytes,
        taken: Document | None,
        readers: tuple[str, ...],
    ) -> Document:
        final = self._file_of(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        staged = staging / final.name
        staged.write_bytes(data)
        stat = staged.stat()
        embedder = self.answerer.retriever.embedder
        options = assemble.ingest_options(self.settings)
        ingester = Ingester(store, embedder, options, ocr=assemble.page_reader(self.settings))
        source = SourceFile(staged, name, stat.st_size, stat.st_mtime_ns, str(staged))
        try:
            prepared = ingester.prepare(source, str(self.uploads), file_hash(staged))
        except ParseError as exc:
            # Named as uploaded: the staging folder is nobody's business.
            raise type(exc)(name, exc.reason) from None
        document = replace(prepared.document, path=str(final), readers=readers)
        prepared = replace(prepared, document=document)
        previous = staging / "previous"
        if final.exists():
            final.replace(previous)
        staged.replace(final)
        try:
            ingester.commit(prepared, taken.id if taken is not None else None)
        except BaseException:
            final.replace(staged)
            if previous.exists():
                previous.replace(final)
            raise
        store.collect_vectors()
        doc = store.document_by_path(str(final))
        assert doc is not None
        return doc

    def _file_of(self, name: str) -> Path:
        """Where the upload called ``name`` is kept."""
        return self.uploads / name.removeprefix(f"{UPLOADS}/")

    def upload_folder(self, principal: Principal) -> str:
        """The folder of ``principal``'s uploads: their name when it is a safe folder name
        that no admin's upload (a file with an accepted extension) could also be called."""
        folder: str | None
        try:
            folder = check_part(principal.name)
            upload_name(folder, "x.md")  # its uploads must be citable, whatever they are called
        except InvalidNameError:
            folder = None
        suffix = PurePath(folder or "").suffix.lower()
        if folder is None or suffix in assemble.upload_types(self.settings):
            return "user-" + hashlib.sha256(principal.name.encode()).hexdigest()[:16]
        return folder

    def uploaded(self, doc: Document, folder: str | None = None) -> bool:
        """Whether ``doc`` was uploaded (into ``folder`` of the uploads, when given)."""
        root = self.uploads / folder if folder else self.uploads
        return Path(doc.root).resolve() == self.uploads and Path(doc.path).is_relative_to(root)

    def remove(self, public_id: str, principal: Principal = LOCAL_ADMIN) -> Document | None:
        """Remove the document of ``public_id`` (and its uploaded file); None when
        ``principal`` sees no such document. Only an admin removes what was not uploaded into
        their own folder."""
        with self._writing() as store:
            doc = next((d for d in store.documents() if d.public_id == public_id), None)
            if doc is None or not principal.can_read(doc):
                return None
            if not principal.admin and not self.uploaded(doc, self.upload_folder(principal)):
                raise ForbiddenError(f"only an admin may remove '{doc.name}'")
            store.remove_document(doc.id)
            store.collect_vectors()
            if self.uploaded(doc):
                Path(doc.path).unlink(missing_ok=True)
        return doc

    def answer(
        self,
        principal: Principal,
        route: str,
        question: str,
        history: Sequence[Message],
        options: AnswerOptions,
    ) -> Iterator[Event]:
        """The answer's events, audited: the passages are recorded before they are passed
        on, the citations when the answer ends (``audit_log``)."""
        events = self.answerer.stream(question, history, options)
        return audited(self.audit_log, principal, route, events)
