import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.options import ingest_options
from yomitoki.errors import ConfigError, StoreError
from yomitoki.index.sqlite.migrations import LATEST, MIGRATIONS
from yomitoki.index.sqlite.store import Store


def make_v1_index(path: Path) -> None:
    """An index as the first schema left it: one document, one chunk, one vector."""
    conn = sqlite3.connect(path)
    step = MIGRATIONS[0]
    assert isinstance(step, str)
    conn.executescript(step)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO documents VALUES (1, '/d/a.md', '/d', 'a.md', 'markdown', 'h', 1, 1, "
        "NULL, NULL, NULL, 1, '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO chunks VALUES (1, 1, 0, 0, 0, 10, NULL, NULL, NULL, NULL, NULL, "
        "'[\"規程\"]', 'Providers 附属書', 'Providers 附属書', 'k')"
    )
    conn.execute("INSERT INTO vectors VALUES ('k', zeroblob(16))")
    conn.commit()
    conn.close()


def _sql(store: Store) -> sqlite3.Connection:
    """A connection of the test's own to the index file, to look at what the engine wrote."""
    return sqlite3.connect(store.path)


def _ids(store: Store) -> bytes:
    (blob,) = _sql(store).execute("SELECT ids FROM chunk_terms WHERE chunk_id = 1").fetchone()
    return bytes(blob)


def test_an_old_index_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    make_v1_index(path)
    with Store.open(path) as store:
        (version,) = _sql(store).execute("PRAGMA user_version").fetchone()
        assert version == LATEST
        terms = (
            _sql(store)
            .execute(
                "SELECT v.term FROM chunk_terms t, json_each(?) j "
                "JOIN vocabulary v ON v.id = j.value WHERE t.chunk_id = 1 ORDER BY j.key",
                (json.dumps(np.frombuffer(_ids(store), dtype=np.int32).tolist()),),
            )
            .fetchall()
        )
        assert [t for (t,) in terms] == [
            "規程", "provid", "付属", "書", "規程_provid", "provid_付属", "付属_書"
        ]  # fmt: skip
        tables = {r[0] for r in _sql(store).execute("SELECT name FROM sqlite_master")}
        assert "chunks_fts" not in tables
        (chunk,) = store.chunks(1)
        assert chunk.location.page_end is None and chunk.location.heading == ("規程",)


def test_an_index_from_a_newer_yomitoki_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StoreError, match="newer than this yomitoki supports"):
        Store.open(path)


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("just some text, not a database" * 100)
    with pytest.raises(StoreError, match="is damaged or is not a yomitoki index"):
        Store.open(path)


def test_the_index_is_bound_to_one_embedding_model(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.sqlite") as store:
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
