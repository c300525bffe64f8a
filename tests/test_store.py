import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CountingEmbedder
from tests.options import ingest_options, open_store
from yomitoki.errors import ConfigError, StoreError
from yomitoki.index.sqlite import migrations
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester


def _sql(store: Store) -> sqlite3.Connection:
    """A connection of the test's own to the index file, to look at what the engine wrote."""
    return sqlite3.connect(store.path)


def _ids(store: Store) -> bytes:
    (blob,) = _sql(store).execute("SELECT ids FROM chunk_terms WHERE chunk_id = 1").fetchone()
    return bytes(blob)


def test_a_new_index_has_every_table_and_the_current_version(tmp_path: Path) -> None:
    with open_store(tmp_path / "i.sqlite") as store:
        (version,) = _sql(store).execute("PRAGMA user_version").fetchone()
        assert version == migrations.latest() >= migrations.BASELINE
        tables = {r[0] for r in _sql(store).execute("SELECT name FROM sqlite_master")}
        assert {"meta", "documents", "chunks", "vectors", "vocabulary", "chunk_terms"} <= tables
        columns = {r[1] for r in _sql(store).execute("PRAGMA table_info(chunks)")}
        assert {"page_end", "page_breaks", "vector_key"} <= columns


def test_a_later_schema_step_runs_once_in_its_own_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "i.sqlite"
    open_store(path).close()
    step = "ALTER TABLE documents ADD COLUMN owner TEXT"
    shipped = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", (*shipped, step))
    with open_store(path) as store:
        (version,) = _sql(store).execute("PRAGMA user_version").fetchone()
        assert version == migrations.BASELINE + len(shipped) + 1
        assert "owner" in {r[1] for r in _sql(store).execute("PRAGMA table_info(documents)")}
    open_store(path).close()  # at the latest version already: nothing runs again
    monkeypatch.setattr(migrations, "MIGRATIONS", (*shipped, step, "SELECT * FROM no_such_table"))
    with pytest.raises(StoreError, match="no such table: no_such_table"):
        open_store(path)
    with sqlite3.connect(path) as conn:  # the failed step left the file as it was
        assert conn.execute("PRAGMA user_version").fetchone() == (
            migrations.BASELINE + len(shipped) + 1,
        )


def test_an_index_from_a_development_version_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("PRAGMA user_version = 5")
    with pytest.raises(StoreError, match=r"development version of yomitoki.*rebuild it"):
        open_store(path)


def test_an_index_from_a_newer_yomitoki_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {migrations.latest() + 1}")
    with pytest.raises(StoreError, match="newer than this yomitoki supports"):
        open_store(path)


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("just some text, not a database" * 100)
    with pytest.raises(StoreError, match="is damaged or is not a yomitoki index"):
        open_store(path)


def test_the_index_is_bound_to_one_embedding_model(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.sqlite") as store:
        assert store.model() is None
        store.bind_model("model-a", 8)
        store.bind_model("model-a", 8)
        with pytest.raises(ConfigError, match="holds vectors of 'model-a', not 'model-b'"):
            store.bind_model("model-b", 8)


def test_deleting_a_document_clears_its_keyword_rows(store: Store, corpus: Path) -> None:
    from tests.conftest import CountingEmbedder
    from yomitoki.ingest.pipeline import Ingester

    Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    count = _sql(store).execute("SELECT COUNT(*) FROM chunk_terms").fetchone()[0]
    assert count == store.stats().chunks
    for doc in store.documents():
        store.remove_document(doc.id)
    assert _sql(store).execute("SELECT COUNT(*) FROM chunk_terms").fetchone()[0] == 0


def test_a_damaged_page_is_a_store_error_naming_the_file(tmp_path: Path, corpus: Path) -> None:
    """SQLite's own exceptions never leave the engine: the CLI and the server name no
    concrete engine to catch them (import-linter keeps it so)."""
    path = tmp_path / "index.sqlite"
    with open_store(path) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page :] = b"\xff" * (len(data) - 2 * page)  # the schema page survives
    path.write_bytes(bytes(data))
    damaged = pytest.raises(StoreError, match=r"is damaged or is not a yomitoki index")
    with damaged as raised, open_store(path) as store:
        store.documents()
        store.chunks(1)
        store.passages(list(range(1, 200)))
    assert str(path) in str(raised.value)


def test_a_new_index_opened_by_many_at_once_is_created_once(tmp_path: Path) -> None:
    """A server opening an index while an ingest creates it: whoever takes the lock second
    finds the schema written and writes nothing (it used to fail: table meta exists), and
    the switch to WAL mode waits for the others (SQLite answered "locked" at once: about
    one round in fifteen failed), and the look at an existing file reads its version and
    tables in one snapshot (read apart, a creation committed between them once made it "not
    a yomitoki index"). A hundred rounds."""
    import threading

    for round_ in range(100):
        path = tmp_path / f"new{round_}.sqlite"
        failures: list[BaseException] = []
        start = threading.Barrier(6)

        def opener(
            path: Path = path,
            start: threading.Barrier = start,
            failures: list[BaseException] = failures,
        ) -> None:
            start.wait()
            try:
                open_store(path).close()
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                failures.append(exc)

        threads = [threading.Thread(target=opener) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest()
