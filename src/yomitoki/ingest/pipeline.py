"""hash -> skip unchanged -> parse -> chunk -> embed -> store, one transaction per document."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from yomitoki.backends.base import Embedder
from yomitoki.errors import (
    FileTooLargeError,
    NameTakenError,
    ParseError,
    SourceError,
)
from yomitoki.index.engine import Engine, NewChunk, NewDocument
from yomitoki.ingest import cache
from yomitoki.ingest.access import readers_for, unmatched
from yomitoki.ingest.chunking import chunk_document
from yomitoki.ingest.folder import Folder
from yomitoki.ingest.ocr.reader import PageReader
from yomitoki.ingest.parsers import format_of, parse_file, parser_for
from yomitoki.ingest.progress import Progress, Silent
from yomitoki.ingest.scan import SourceFile, file_hash
from yomitoki.ingest.source import GoneError, Source, entries
from yomitoki.ingest.work import (
    Cut,
    IngestOptions,
    Job,
    Prepared,
    Preparer,
    embed_input,
    vector_key,
)
from yomitoki.text.analyzer import chunk_terms
from yomitoki.types import Document, FileResult, IngestReport, Outcome

#: Files parsed and cut ahead of the one embedding (memory: at most this many cut files).
CUT_AHEAD = 2


class Ingester:
    """Syncs the index with a folder or a source: adds, updates, renames and removes
    documents."""

    def __init__(
        self,
        engine: Engine,
        embedder: Embedder,
        options: IngestOptions,
        progress: Progress | None = None,
        ocr: PageReader | None = None,
        preparer: Preparer | None = None,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.options = options
        self.progress: Progress = progress or Silent()
        #: Reads scans; None: pages without a text layer and images are not read.
        self.ocr = ocr
        #: Prepares new content elsewhere (on Ray); None: here, one file after another.
        self.preparer = preparer
        #: While a source is synced: it, and the folder its entries' bytes are kept in.
        self._reading: tuple[Source, Path] | None = None

    def run(self, root: Path) -> IngestReport:
        """Ingest every file under ``root`` (a folder, or one file) and drop documents whose
        files are gone."""
        return self.sync(Folder(root, self.options.exclude, self.options.outside_links), None)

    def sync(self, source: Source, kept: Path | None) -> IngestReport:
        """Ingest every entry of ``source`` and drop documents whose entries are gone.

        Entries are listed whole before anything changes: a source that fails while it is
        listed, or while an entry is read (SourceError), ends the run with every document
        written so far kept and none removed. An entry not read in place (a folder's files
        are) is read into ``kept`` (``ingest.cache``), which ``/content`` shows."""
        began = time.perf_counter()
        files: list[SourceFile] = []
        problems: list[tuple[str, str]] = []
        for item in entries(source.listing(), self.options.exclude):
            if isinstance(item, tuple):
                problems.append(item)
                continue
            listed, name = item.listed, item.name
            size, mtime, readers = listed.size, listed.mtime_ns, listed.readers
            if listed.path is not None:  # read in place: no key to read it by
                file = SourceFile(listed.path, name, size, mtime, str(listed.path), readers)
            elif kept is None:
                raise ValueError(f"{source.uri}: its entries are read into a cache: give one")
            else:
                where, unread = source.location(name), cache.unread(kept)
                file = SourceFile(unread, name, size, mtime, where, readers, listed.key)
            files.append(file)
            self.progress.listed(len(files))
        self._reading = (source, kept) if kept is not None else None
        try:
            report = self._sync(files, problems, source, began)
        finally:
            self._reading = None
        if kept is not None:
            cache.prune(kept, self.engine.documents())
        return report

    def _sync(
        self, files: list[SourceFile], problems: list[tuple[str, str]], source: Source, began: float
    ) -> IngestReport:
        """Bring the documents of ``source`` in line with ``files``; where its listing is
        whole, documents of files not listed are removed."""
        folder, whole = source.uri, source.whole
        self.engine.bind_model(self.embedder.model_id, self.embedder.dim)
        results = [FileResult(name, Outcome.FAILED, error=reason) for name, reason in problems]
        present = {f.location for f in files}
        results += self._ingest(files, folder, present if whole else None)
        if whole:
            results += self._remove_gone(folder, present)
        self.engine.collect_vectors()
        if any(r.outcome is not Outcome.UNCHANGED for r in results):
            # A no-change run must not read a large index's every vector to check its graph.
            self.engine.ready_for_search()
        names = [f.name for f in files] if whole else None
        return IngestReport(
            root=source.shown,
            index=self.engine.location,
            results=tuple(results),
            seconds=time.perf_counter() - began,
            warnings=self._warnings(folder, names),
        )

    def _ingest(
        self, files: Sequence[SourceFile], folder: str, present: set[str] | None
    ) -> list[FileResult]:
        """Each file decided on, and the new or changed ones prepared and written, here one
        after another or by the preparer all at once. ``present``: every file of a folder
        run, so documents whose file is gone may be found again by their content."""
        known = {doc.path: doc for doc in self.engine.documents(folder)}
        vanished: dict[str, Document] = {}
        for doc in known.values():
            if present is not None and doc.path not in present:
                vanished.setdefault(doc.content_hash, doc)
        self.progress.start(len(files))
        results: list[FileResult | None] = []
        jobs: list[Job] = []
        # Here, the next files are parsed, read by OCR and cut on a thread while the current
        # one embeds (the engines release the GIL): the wall time nears embedding alone.
        ahead: deque[tuple[int, Job, Future[Cut]]] = deque()
        with ThreadPoolExecutor(1, thread_name_prefix="yomitoki-cut") as cutter:
            for source in files:
                self.progress.file(source.name)
                try:
                    decided = self._decide(source, folder, known.get(source.location), vanished)
                except SourceError:
                    # The source went away: what was read before is still written.
                    while ahead:
                        self._embed_ahead(ahead.popleft(), results)
                    raise
                if isinstance(decided, Job) and self.preparer is None:
                    cut = cutter.submit(self.cut, decided.source, decided.root, decided.digest)
                    ahead.append((len(results), decided, cut))
                    results.append(None)
                    while len(ahead) > CUT_AHEAD:
                        self._embed_ahead(ahead.popleft(), results)
                elif isinstance(decided, Job):
                    jobs.append(decided)
                else:
                    self.progress.done(decided)
                    results.append(decided)
            while ahead:
                self._embed_ahead(ahead.popleft(), results)
        if jobs and self.preparer is not None:
            for job, prepared in self.preparer(jobs):
                result = self._finish(job, prepared)
                self.progress.done(result)
                results.append(result)
        return [r for r in results if r is not None]

    def _embed_ahead(
        self, item: tuple[int, Job, Future[Cut]], results: list[FileResult | None]
    ) -> None:
        """Embed and write a file cut ahead; its result goes to its place in ``results``."""
        slot, job, cut = item
        try:
            prepared: Prepared | Exception = self.embed(cut.result())
        except Exception as exc:  # noqa: BLE001 - reported as the file's failure
            prepared = exc
        result = results[slot] = self._finish(job, prepared)
        self.progress.done(result)

    def _remove_gone(self, folder: str, present: set[str]) -> list[FileResult]:
        """Documents of ``folder`` whose file is gone (renamed ones carry their new path)."""
        removed = []
        for doc in self.engine.documents(folder):
            if doc.path not in present:
                self.engine.remove_document(doc.id)
                removed.append(FileResult(doc.name, Outcome.REMOVED))
        return removed

    def _warnings(self, folder: str, names: list[str] | None) -> tuple[str, ...]:
        """What failed nothing but is worth a look: OCR's problems, and permission rules
        that match none of a folder's files (``names``)."""
        rules = unmatched(self.options.rules, names) if names is not None else []
        return (
            *(self.ocr.problems if self.ocr is not None else ()),
            *(f"permission rule '{pattern}' matches no file under {folder}" for pattern in rules),
        )

    def _decide(
        self,
        source: SourceFile,
        root: str,
        existing: Document | None,
        vanished: dict[str, Document],
    ) -> FileResult | Job:
        """What to do with one file: nothing, new metadata, a rename, or a Job for its new
        content (the only case that parses and embeds)."""
        try:
            parser_for(Path(source.name))  # unknown extensions fail here, before any reading
            if existing is None:
                self._check_name_free(source.name, root)
            # A document cut with other chunk settings is cut again (its text is re-embedded
            # only where chunks changed: vectors are kept by text). None: recorded before
            # yomitoki kept track, so left alone.
            same_cut = existing is None or existing.chunking in (None, self.options.chunking)
            readers = self.readers_of(source)
            if (
                existing is not None
                and same_cut
                and existing.size == source.size
                and existing.mtime_ns == source.mtime_ns
                and existing.category == self.options.category
                and existing.readers == readers
            ):
                return FileResult(source.name, Outcome.UNCHANGED, existing.chunks)
            source, digest = self._read(source)
            if existing is not None and same_cut and existing.content_hash == digest:
                # New readers or category: recorded without parsing or embedding anything.
                self.engine.touch_document(
                    existing.id, source.mtime_ns, self.options.category, readers
                )
                return FileResult(source.name, Outcome.UNCHANGED, existing.chunks)
            moved = vanished.pop(digest, None) if existing is None else None
            if moved is not None:
                self.engine.move_document(
                    moved.id, source.location, source.name, root, source.mtime_ns
                )
                if moved.readers != readers or moved.category != self.options.category:
                    self.engine.touch_document(
                        moved.id, source.mtime_ns, self.options.category, readers
                    )
                return FileResult(
                    source.name, Outcome.RENAMED, moved.chunks, previous_name=moved.name
                )
        except SourceError:
            raise  # the source itself failed: the run ends, and nothing more is changed
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            return self._failed(source.name, existing, exc)
        return Job(source, root, digest, existing)

    def _read(self, source: SourceFile) -> tuple[SourceFile, str]:
        """The file with its bytes where they can be parsed, and their hash: a folder's file
        as it is; a source's entry read into the cache first (never one over the size cap)."""
        if not source.key:  # a folder's file: read where it is
            return source, file_hash(source.path)
        assert self._reading is not None, "an entry with a key is read while its source syncs"
        if source.size > self.options.max_bytes:
            size, cap = source.size / 2**20, self.options.max_bytes / 2**20
            raise FileTooLargeError(
                source.name, f"file is {size:.1f} MiB, over the {cap:.1f} MiB limit"
            )
        origin, kept = self._reading
        return cache.fetch(origin, source, kept)

    def _check_name_free(self, name: str, root: str) -> None:
        """A name is one document's: a file whose name a document of another folder holds
        is refused, so a citation can never open one document for another."""
        held = self.engine.document_named(name)
        if held is not None and held.root != root:
            raise NameTakenError(
                f"'{name}' is the name of a document ingested from {held.root}; ingest this "
                "folder into another index, or remove that folder's documents first"
            )

    def _finish(self, job: Job, prepared: Prepared | Exception) -> FileResult:
        """Write a prepared job, or report why it could not be prepared or written."""
        existing = job.existing
        if isinstance(prepared, Exception):
            return self._failed(job.source.name, existing, prepared)
        try:
            self.commit(prepared, existing.id if existing is not None else None)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            return self._failed(job.source.name, existing, exc)
        outcome = Outcome.ADDED if existing is None else Outcome.UPDATED
        return FileResult(
            job.source.name,
            outcome,
            len(prepared.chunks),
            warnings=prepared.warnings,
            ocr_pages=prepared.ocr_pages,
        )

    def _failed(self, name: str, existing: Document | None, exc: Exception) -> FileResult:
        if isinstance(exc, ParseError):
            reason = exc.reason
        elif isinstance(exc, NameTakenError):
            reason = str(exc)
        elif isinstance(exc, GoneError):
            reason = "it was removed from its source while it was read"
        elif isinstance(exc, OSError):
            reason = f"cannot read file: {exc.strerror or exc}"
        else:
            reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
        if existing is not None:
            # Nothing from a file that no longer parses stays searchable.
            self.engine.remove_document(existing.id)
            reason += " (its previous version was removed from the index)"
        return FileResult(name, Outcome.FAILED, error=reason)

    def readers_of(self, source: SourceFile) -> tuple[str, ...]:
        """Who may read ``source``: its source's readers and the rules', else the run's."""
        return readers_for(source.name, self.options.rules, self.options.readers, source.readers)

    def prepare(self, source: SourceFile, root: str, digest: str) -> Prepared:
        """Parse, chunk and embed one file without touching the index's documents."""
        return self.embed(self.cut(source, root, digest))

    def cut(self, source: SourceFile, root: str, digest: str) -> Cut:
        """Parse and chunk one file, with each chunk's keyword terms and vector key."""
        if self.ocr is not None:
            self.ocr.progress = self.progress
        parsed = parse_file(source.path, self.options.max_bytes, self.ocr)
        chunks = chunk_document(parsed, self.options.chunk_size, self.options.chunk_overlap)
        model = self.embedder.model_id
        inputs = [embed_input(c) for c in chunks]
        keys = [vector_key(model, text) for text in inputs]
        document = NewDocument(
            path=source.location,
            name=source.name,
            root=root,
            format=format_of(source.path) or "unknown",
            content_hash=digest,
            size=source.size,
            mtime_ns=source.mtime_ns,
            title=parsed.title,
            pages=parsed.pages,
            category=self.options.category,
            chunking=self.options.chunking,
            readers=self.readers_of(source),
        )
        new = [
            NewChunk(c, chunk_terms(c.location.heading, c.norm_text), key)
            for c, key in zip(chunks, keys, strict=True)
        ]
        return Cut(
            document,
            new,
            dict(zip(keys, inputs, strict=True)),
            warnings=parsed.warnings,
            ocr_pages=len({s.location.page for s in parsed.sections if s.ocr is not None}),
        )

    def embed(self, cut: Cut) -> Prepared:
        """Embed the chunk texts of ``cut`` that the index has no vector for yet."""
        missing = self.engine.missing_vectors(cut.inputs)
        todo = {key: text for key, text in cut.inputs.items() if key in missing}
        self.progress.embedding(len(todo))
        matrix = self.embedder.embed_passages(
            list(todo.values()), self.options.batch_size, self.progress.embedded
        )
        return Prepared(
            cut.document,
            cut.chunks,
            dict(zip(todo, matrix, strict=True)),
            warnings=cut.warnings,
            ocr_pages=cut.ocr_pages,
        )

    def commit(self, prepared: Prepared, replaces: int | None = None) -> int:
        """Write a prepared file in one transaction, replacing document ``replaces``."""
        # An upload is written without a run, so the index may not know its model yet.
        self.engine.bind_model(self.embedder.model_id, self.embedder.dim)
        return self.engine.put_document(
            prepared.document, prepared.chunks, prepared.vectors, replaces
        )
