import os
import shutil
import sqlite3
from pathlib import Path

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import ingest_options
from yomitoki.index.engine import Engine
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.chunking import CUTTER
from yomitoki.ingest.pipeline import Ingester
from yomitoki.types import IngestReport, Outcome


def outcomes(report: IngestReport) -> dict[str, Outcome]:
    return {r.name: r.outcome for r in report.results}


def chunk_texts(engine: Engine, name: str) -> list[str]:
    (doc,) = [d for d in engine.documents() if d.name == name]
    return [c.text for c in engine.chunks(doc.id)]


def test_first_run_adds_every_format(ingester: Ingester, corpus: Path, engine: Engine) -> None:
    report = ingester.run(corpus)
    assert set(outcomes(report).values()) == {Outcome.ADDED}
    assert len(report.results) == 9
    names = {d.name for d in engine.documents()}
    assert "sub/memo.txt" in names and "manual.pdf" in names
    (pdf,) = [d for d in engine.documents() if d.name == "manual.pdf"]
    assert pdf.pages == 3 and pdf.format == "pdf"
    # Three short pages read on into one chunk that knows its first and last page.
    (chunk,) = engine.chunks(pdf.id)
    assert (chunk.location.page, chunk.location.page_end) == (1, 3)
    # ...and where pages 2 and 3 begin in its text, so each sentence can cite its own page.
    assert [(chunk.text[offset : offset + 11], page) for offset, page in chunk.page_breaks] == [
        ("Chapter two", 2),
        ("第三章 保証期間は二年", 3),
    ]
    stats = engine.stats()
    assert stats.chunks == sum(r.chunks for r in report.results)
    assert stats.model == "hash-bigram-256"


def test_rerun_on_unchanged_folder_parses_and_embeds_nothing(
    ingester: Ingester, corpus: Path, embedder: CountingEmbedder
) -> None:
    ingester.run(corpus)
    embedded = len(embedder.calls)
    assert embedded > 0
    report = ingester.run(corpus)
    assert set(outcomes(report).values()) == {Outcome.UNCHANGED}
    assert len(embedder.calls) == embedded


def test_touched_but_identical_file_is_unchanged(
    ingester: Ingester, corpus: Path, embedder: CountingEmbedder
) -> None:
    ingester.run(corpus)
    embedded = len(embedder.calls)
    os.utime(corpus / "notes.md", ns=(1, 1))
    report = ingester.run(corpus)
    assert outcomes(report)["notes.md"] is Outcome.UNCHANGED
    assert len(embedder.calls) == embedded


def test_changed_file_replaces_exactly_its_chunks(
    ingester: Ingester, corpus: Path, engine: Engine
) -> None:
    long_text = "".join(f"第{i}条の本文です。" for i in range(200))
    builders.text(corpus / "rules.txt", long_text)
    ingester.run(corpus)
    before = chunk_texts(engine, "rules.txt")
    assert len(before) > 3
    builders.text(corpus / "rules.txt", "改定後の短い規程です。")
    report = ingester.run(corpus)
    assert outcomes(report)["rules.txt"] is Outcome.UPDATED
    assert chunk_texts(engine, "rules.txt") == ["改定後の短い規程です。"]
    assert outcomes(report)["notes.md"] is Outcome.UNCHANGED


def test_only_new_chunk_texts_are_embedded_on_update(
    ingester: Ingester, corpus: Path, embedder: CountingEmbedder
) -> None:
    paragraphs = [f"Paragraph {i} talks about topic {i} at length." for i in range(10)]
    builders.text(corpus / "doc.md", "\n\n".join(paragraphs))
    ingester.run(corpus)
    embedder.calls.clear()
    builders.text(corpus / "doc.md", "\n\n".join([*paragraphs, "A brand new closing paragraph."]))
    ingester.run(corpus)
    # Unchanged chunk texts reuse their stored vectors; only the changed tail is embedded.
    assert 0 < len(embedder.calls) < 3
    assert any("brand new" in text for text in embedder.calls)


def test_deleted_file_disappears_with_its_chunks(
    ingester: Ingester, corpus: Path, engine: Engine
) -> None:
    ingester.run(corpus)
    (corpus / "deck.pptx").unlink()
    shutil.rmtree(corpus / "sub")
    report = ingester.run(corpus)
    removed = {n for n, o in outcomes(report).items() if o is Outcome.REMOVED}
    assert removed == {"deck.pptx", "sub/memo.txt", "sub/staff.csv", "sub/items.json"}
    remaining = engine.documents()
    assert {d.name for d in remaining}.isdisjoint(removed)
    # No chunk outlives its document.
    assert engine.stats().chunks == sum(d.chunks for d in remaining) > 0


def test_deleted_files_leave_no_rows_behind_in_sqlite(
    store: Store, corpus: Path, embedder: CountingEmbedder
) -> None:
    ingester = Ingester(store, embedder, ingest_options())
    ingester.run(corpus)
    shutil.rmtree(corpus / "sub")
    ingester.run(corpus)
    with sqlite3.connect(store.path) as conn:
        orphans = conn.execute(
            "SELECT COUNT(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        unused = conn.execute(
            "SELECT COUNT(*) FROM vectors WHERE key NOT IN (SELECT vector_key FROM chunks)"
        ).fetchone()[0]
    assert orphans == 0 and unused == 0


def test_renamed_file_keeps_its_chunks_without_reembedding(
    ingester: Ingester, corpus: Path, engine: Engine, embedder: CountingEmbedder
) -> None:
    ingester.run(corpus)
    before = chunk_texts(engine, "manual.pdf")
    embedder.calls.clear()
    (corpus / "archive").mkdir()
    (corpus / "manual.pdf").rename(corpus / "archive" / "manual-2024.pdf")
    report = ingester.run(corpus)
    (result,) = [r for r in report.results if r.name == "archive/manual-2024.pdf"]
    assert result.outcome is Outcome.RENAMED and result.previous_name == "manual.pdf"
    assert embedder.calls == []
    assert chunk_texts(engine, "archive/manual-2024.pdf") == before
    assert "manual.pdf" not in {d.name for d in engine.documents()}


def test_copied_file_is_indexed_twice_but_embedded_once(
    ingester: Ingester, corpus: Path, engine: Engine, embedder: CountingEmbedder
) -> None:
    ingester.run(corpus)
    embedder.calls.clear()
    shutil.copy(corpus / "policy.docx", corpus / "policy-copy.docx")
    report = ingester.run(corpus)
    assert outcomes(report)["policy-copy.docx"] is Outcome.ADDED
    assert embedder.calls == []
    assert chunk_texts(engine, "policy-copy.docx") == chunk_texts(engine, "policy.docx")


def test_bad_files_fail_alone_and_leave_nothing(
    ingester: Ingester, corpus: Path, engine: Engine, tmp_path: Path
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    builders.pdf(corpus / "locked.pdf", [["secret"]], password="pw")
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "photo.gif").write_bytes(b"\xff\xd8\xff")
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    report = ingester.run(corpus)
    failed = {r.name: r.error for r in report.results if r.outcome is Outcome.FAILED}
    assert set(failed) == {"broken.pdf", "locked.pdf", "empty.md", "photo.gif", "dangling.txt"}
    assert "password-protected" in (failed["locked.pdf"] or "")
    assert "unsupported file type '.gif'" in (failed["photo.gif"] or "")
    assert "cannot read file" in (failed["dangling.txt"] or "")
    assert report.failed
    assert report.count(Outcome.ADDED) == 9
    assert {d.name for d in engine.documents()}.isdisjoint(failed)


def test_file_that_turns_corrupt_is_removed_from_the_index(
    ingester: Ingester, corpus: Path, engine: Engine
) -> None:
    ingester.run(corpus)
    (corpus / "prices.xlsx").write_bytes(b"PK\x03\x04 no longer a workbook")
    report = ingester.run(corpus)
    (result,) = [r for r in report.results if r.name == "prices.xlsx"]
    assert result.outcome is Outcome.FAILED
    assert "previous version was removed" in (result.error or "")
    assert "prices.xlsx" not in {d.name for d in engine.documents()}


def test_hidden_files_are_skipped(ingester: Ingester, corpus: Path) -> None:
    builders.text(corpus / ".secret.md", "# hidden")
    (corpus / ".git").mkdir()
    builders.text(corpus / ".git" / "notes.txt", "internal")
    report = ingester.run(corpus)
    assert not any(r.name.startswith(".") for r in report.results)


def test_single_file_ingest_keeps_the_folders_other_documents(
    ingester: Ingester, corpus: Path, engine: Engine
) -> None:
    ingester.run(corpus)
    builders.text(corpus / "notes.md", "# 社内規程\n\n就業時間は10時からに変わりました。")
    report = ingester.run(corpus / "notes.md")
    assert outcomes(report) == {"notes.md": Outcome.UPDATED}
    assert len(engine.documents()) == 9


def test_category_is_stored_and_a_new_category_updates_metadata(
    engine: Engine, embedder: CountingEmbedder, corpus: Path
) -> None:

    Ingester(engine, embedder, ingest_options(category="manuals")).run(corpus)
    assert {d.category for d in engine.documents()} == {"manuals"}
    embedded = len(embedder.calls)
    Ingester(engine, embedder, ingest_options(category="handbook")).run(corpus)
    assert {d.category for d in engine.documents()} == {"handbook"}
    assert len(embedder.calls) == embedded


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def listed(self, count: int) -> None:
        self.events.append(("listed", count))

    def start(self, files: int) -> None:
        self.events.append(("start", files))

    def file(self, name: str) -> None:
        self.events.append(("file", name))

    def embedding(self, total: int) -> None:
        self.events.append(("embedding", total))

    def embedded(self, count: int) -> None:
        self.events.append(("embedded", count))

    def done(self, result: object) -> None:
        self.events.append(("done", result))


def test_progress_hears_about_every_file_and_every_embedded_chunk(
    engine: Engine, embedder: CountingEmbedder, corpus: Path
) -> None:

    progress = RecordingProgress()
    report = Ingester(engine, embedder, ingest_options(batch_size=2), progress).run(corpus)
    kinds = [kind for kind, _ in progress.events]
    # The listing is counted as it goes, then the run starts on what was listed.
    assert progress.events[:10] == [("listed", n) for n in range(1, 10)] + [("start", 9)]
    assert kinds.count("file") == kinds.count("done") == 9
    to_embed = sum(n for kind, n in progress.events if kind == "embedding")  # type: ignore[misc]
    embedded = sum(n for kind, n in progress.events if kind == "embedded")  # type: ignore[misc]
    assert to_embed == embedded == len(embedder.calls) == engine.stats().vectors
    assert max(n for kind, n in progress.events if kind == "embedded") <= 2  # type: ignore[type-var]
    assert [r for kind, r in progress.events if kind == "done"] == list(report.results)


def test_changed_chunk_settings_rechunk_without_re_embedding_unchanged_text(
    engine: Engine, corpus: Path, embedder: CountingEmbedder
) -> None:
    Ingester(engine, embedder, ingest_options(chunk_size=300, chunk_overlap=50)).run(corpus)
    embedded = len(embedder.calls)
    report = Ingester(engine, embedder, ingest_options(chunk_size=300, chunk_overlap=50)).run(
        corpus
    )
    assert set(outcomes(report).values()) == {Outcome.UNCHANGED}
    bigger = Ingester(engine, embedder, ingest_options(chunk_size=2000, chunk_overlap=50))
    report = bigger.run(corpus)
    assert set(outcomes(report).values()) == {Outcome.UPDATED}
    assert {d.chunking for d in engine.documents()} == {f"2000/50/{CUTTER}"}
    # Short files are one chunk either way: their text was not embedded again.
    assert len(embedder.calls) - embedded < sum(r.chunks for r in report.results)
    assert set(outcomes(bigger.run(corpus)).values()) == {Outcome.UNCHANGED}


def test_documents_cut_by_an_older_cutter_are_cut_again(
    store: Store, corpus: Path, embedder: CountingEmbedder
) -> None:
    Ingester(store, embedder, ingest_options()).run(corpus)
    # As an index written before the cutter's version was recorded ("size/overlap") has it.
    with sqlite3.connect(store.location) as conn:
        conn.execute("UPDATE documents SET chunking = '1000/150'")
    report = Ingester(store, embedder, ingest_options()).run(corpus)
    assert set(outcomes(report).values()) == {Outcome.UPDATED}
    assert {d.chunking for d in store.documents()} == {f"1000/150/{CUTTER}"}


def test_the_cache_keeps_what_documents_hold_and_drops_the_rest(tmp_path: Path) -> None:
    """prune: kept files no source's document holds go, and so do half-read entries an
    hour old (a killed ingest's); the sync record and fresh reads stay."""
    import time

    from yomitoki.ingest import cache
    from yomitoki.types import Document

    kept = tmp_path / "kept"
    (kept / ".partial").mkdir(parents=True)
    held, dropped = "a" * 64, "b" * 64
    (kept / f"{held}.pdf").write_bytes(b"held")
    (kept / f"{dropped}.pdf").write_bytes(b"no one's")
    (kept / "syncs.json").write_text("[]")
    old, fresh = kept / ".partial" / "old", kept / ".partial" / "fresh"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    hour_ago = time.time() - cache.STALE_SECONDS - 60
    os.utime(old, (hour_ago, hour_ago))
    doc = Document(
        id=1, path="az://c/hr/x.pdf", name="hr/x.pdf", root="az://c", format="pdf",
        content_hash=held, size=4, mtime_ns=0, title=None, pages=1, chunks=1,
    )  # fmt: skip
    cache.prune(kept, [doc])
    left = sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file())
    assert left == [".partial/fresh", f"{held}.pdf", "syncs.json"]
