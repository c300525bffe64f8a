"""What only the Milvus engine has to prove: hostile strings in filters, writes without
transactions, several processes on one server, and the settings that choose it.

The behaviour both engines share (sync, search, filters, permissions) is tested once for both
in test_pipeline, test_search and test_access.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import builders
from tests.conftest import CountingEmbedder, engine_settings
from tests.options import ingest_options
from tests.options import searcher as searcher_over
from yomitoki import assemble
from yomitoki.backends.fake import HashEmbedder
from yomitoki.errors import StoreError
from yomitoki.index.engine import Filters, NewChunk, NewDocument
from yomitoki.index.milvus import retrieval as milvus_retrieval
from yomitoki.index.milvus import store as milvus_store
from yomitoki.index.milvus.client import MilvusOptions
from yomitoki.index.milvus.literals import encode, literal, successor
from yomitoki.index.milvus.store import MilvusStore
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app
from yomitoki.settings import load_settings
from yomitoki.types import Chunk, Location, Mode

# Milvus Lite's engine on loopback: make test and CI, not make check.
pytestmark = pytest.mark.slow

HOSTILE = [
    'a"b', "back\\slash", "new\nline", "tab\there", "100%_done", "it's", "\x00nul",
    'x" or id > 0 or name_key == "', "日本語/規程", "emoji😀", "\udc80lone", "\u2028sep",
]  # fmt: skip


@pytest.fixture
def milvus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MilvusStore]:
    where = engine_settings("milvus", tmp_path, request)
    options = MilvusOptions(where["milvus_uri"], where["milvus_collection"], "FLAT")
    with MilvusStore.open(options) as opened:
        opened.bind_model("hash-bigram-256", 256)
        yield opened
        opened.drop()


def put(store: MilvusStore, name: str, category: str | None = None, text: str = "") -> int:
    """Store a one-chunk document called ``name`` directly through the engine."""
    body = text or "memo"
    key = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    chunk = Chunk(0, body, body, Location(), 0, 0, len(body))
    doc = NewDocument(
        path=f"/root/{name}", name=name, root="/root", format="text", content_hash=name,
        size=1, mtime_ns=1, title=None, pages=None, category=category,
    )  # fmt: skip
    vector = HashEmbedder().embed_passages([body], 1)[0]
    return store.put_document(doc, [NewChunk(chunk, ["memo"], key)], {key: vector})


def test_encoded_strings_are_safe_literals_and_keep_prefixes() -> None:
    for text in HOSTILE:
        encoded = encode(text)
        assert encoded.isprintable() and not set(encoded) & set("\"\\'")
        literal(encoded)  # raises for anything a filter could trip on
        for cut in range(len(text) + 1):
            assert encode(text).startswith(encode(text[:cut]))
    assert encode("abc") == "abc" and encode("年休") == "年休"
    with pytest.raises(ValueError, match="encoded"):
        literal("raw\nline")
    assert successor("ab") == "ac" and successor("a\U0010ffff") == "b"
    assert successor("\U0010ffff") is None and successor("\ud7ff") == "\ue000"


def test_hostile_names_and_categories_are_matched_exactly_inside_milvus(
    milvus: MilvusStore,
) -> None:
    ids = {name: put(milvus, name, category=name) for name in HOSTILE}
    for name, doc_id in ids.items():
        found = milvus.document_named(name)
        assert found is not None and found.id == doc_id and found.name == name
        assert milvus.document_by_path(f"/root/{name}") == found
        only = Filters(categories=(name,))
        hits = milvus.keyword_search("memo", 50, only)
        assert [milvus.passages([i])[i].document for i, _ in hits] == [name], name
    # An injection attempt is a category like any other: it admits nothing else.
    assert milvus.keyword_search("memo", 50, Filters(categories=('x" or id > 0 or "',))) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.text(alphabet='ab"\\%_\n日😀', min_size=1, max_size=3))
def test_a_path_prefix_admits_exactly_the_names_that_start_with_it(
    milvus: MilvusStore, prefix: str
) -> None:
    names = ['a"b', "a\\b", "ab%", "a_b", "a\nb", "日a", "b😀", "aa", "a", "ba"]
    if not milvus.documents():
        for name in names:
            put(milvus, name)
    hits = milvus.keyword_search("memo", 50, Filters(path_prefix=prefix))
    found = {hit.document for hit in milvus.passages([i for i, _ in hits]).values()}
    assert found == {n for n in names if n.startswith(prefix)}


def test_a_write_that_dies_before_its_document_row_is_invisible_then_collected(
    milvus: MilvusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(milvus, "kept.txt", text="kept memo")
    real_insert = milvus.calls.insert

    def dies_at_the_document_row(name: str, rows: list[dict[str, Any]]) -> None:
        if name == milvus.documents_name:
            raise StoreError("killed")
        real_insert(name, rows)

    monkeypatch.setattr(milvus.calls, "insert", dies_at_the_document_row)
    with pytest.raises(StoreError, match="killed"):
        put(milvus, "lost.txt", text="lost memo")
    monkeypatch.undo()
    # Its chunk is in Milvus, but no search returns it and no listing names it.
    assert milvus.stats().chunks == 2
    searcher = searcher_over(milvus, HashEmbedder())
    assert [h.document for h in searcher.search("lost memo", Mode.HYBRID, 5)] == ["kept.txt"]
    assert [d.name for d in milvus.documents()] == ["kept.txt"]
    assert milvus.collect_vectors() == 0  # within the hour: maybe another writer's, left alone
    monkeypatch.setattr(milvus_store, "ABANDONED_MS", -1)
    assert milvus.collect_vectors() == 1
    assert milvus.stats().chunks == 1


def test_a_replaced_document_is_never_missing_and_ends_up_alone(milvus: MilvusStore) -> None:
    first = put(milvus, "rules.txt", text="old memo")
    second = put(milvus, "rules.txt", text="new memo")  # same path: replaces the first
    assert second != first and milvus.document(first) is None
    (doc,) = milvus.documents()
    assert doc.id == second and [c.text for c in milvus.chunks(second)] == ["new memo"]


def test_an_unreachable_server_or_a_missing_index_is_a_clear_error(milvus_uri: str) -> None:
    with pytest.raises(StoreError, match="no index in Milvus"):
        MilvusStore.open(MilvusOptions(milvus_uri, "never_made", "FLAT"), create=False)
    down = MilvusOptions("http://127.0.0.1:9", "x", "FLAT", timeout=2.0)
    with pytest.raises(StoreError, match=r"Milvus at http://127.0.0.1:9: connect failed"):
        MilvusStore.open(down)


def yomitoki(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "yomitoki", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_several_ingest_processes_write_one_index_at_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two folders ingested at once, and one folder twice at once: every file once."""
    where = engine_settings("milvus", tmp_path, request)
    env = {
        "YOMITOKI_STORE": "milvus",
        "YOMITOKI_MILVUS_URI": where["milvus_uri"],
        "YOMITOKI_MILVUS_COLLECTION": where["milvus_collection"],
        "YOMITOKI_EMBEDDER": "hash",
    }
    folders = []
    for team in ("sales", "legal"):
        folder = tmp_path / team
        folder.mkdir()
        for n in range(6):
            builders.text(folder / f"{team}{n}.md", f"# {team} {n}\n\nThe {team}{n}x memo.\n")
        folders.append(folder)
    runs = [yomitoki("ingest", str(f), "--no-progress", env=env) for f in (*folders, folders[0])]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    settings = load_settings(**where, embedder="hash")
    with assemble.open_engine(settings, create=False) as engine:
        names = [d.name for d in engine.documents()]
        assert sorted(names) == sorted(f"{t}{n}.md" for t in ("sales", "legal") for n in range(6))
        assert engine.stats().chunks == 12
    listed = yomitoki("documents", "--json", env=env)
    out, err = listed.communicate(timeout=120)
    assert listed.returncode == 0, err
    assert len(json.loads(out)) == 12
    found = yomitoki("search", "legal3x memo", "--json", env=env)
    out, err = found.communicate(timeout=120)
    assert found.returncode == 0, err
    assert json.loads(out)[0]["document"] == "legal3.md"


def test_two_servers_over_one_milvus_see_each_others_uploads(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    where = engine_settings("milvus", tmp_path, request)
    base = {**where, "embedder": "hash", "min_answerability": 0.0, "api_keys": ["k-123456"]}
    one = load_settings(**base, upload_dir=tmp_path / "shared-uploads")
    two = load_settings(**base, upload_dir=tmp_path / "shared-uploads")
    headers = {"Authorization": "Bearer k-123456"}
    with (
        TestClient(create_app(one)) as first,
        TestClient(create_app(two)) as second,
    ):
        note = ("plan.md", b"# Plan\n\nThe zqreplica1x plan ships in May.\n", "text/markdown")
        made = first.post("/documents", files={"file": note}, headers=headers)
        assert made.status_code == 201, made.text
        body = {"messages": [{"role": "user", "content": "When does the zqreplica1x plan ship?"}]}
        answer = second.post("/chat", json=body, headers=headers).json()
        assert made.json()["name"] in answer["context"]["data_points"]["citations"]
        assert second.delete(f"/documents/{made.json()['id']}", headers=headers).status_code == 204
        listed = first.get("/documents", headers=headers).json()["documents"]
        assert listed == []


def test_ingest_reports_an_index_in_milvus_without_a_size(
    request: pytest.FixtureRequest, tmp_path: Path, corpus: Path
) -> None:
    where = engine_settings("milvus", tmp_path, request)
    with assemble.open_engine(load_settings(**where, embedder="hash")) as engine:
        Ingester(engine, CountingEmbedder(), ingest_options()).run(corpus)
        stats = engine.stats()
    assert stats.documents == 9 and stats.chunks >= 9 and stats.bytes is None


def test_document_frequencies_are_reused_briefly_and_forgotten_on_a_write(
    milvus: MilvusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts only weigh the legs, so another process's write may show a few seconds late;
    this engine's own writes show at once."""
    put(milvus, "one.txt")
    with MilvusStore.open(milvus.options) as other:
        assert other.idf(["memo"], Filters()) == milvus.idf(["memo"], Filters())
        before = other.idf(["memo"], Filters())["memo"]
        put(milvus, "two.txt")  # written elsewhere: `other` reuses its count for a while
        assert other.idf(["memo"], Filters())["memo"] == before
        assert milvus.idf(["memo"], Filters())["memo"] < before  # the writer forgot its own at once
        later = time.monotonic() + milvus_retrieval.FREQUENCY_SECONDS + 1
        monkeypatch.setattr(milvus_retrieval, "clock", lambda: later)
        assert other.idf(["memo"], Filters()) == milvus.idf(["memo"], Filters())


def test_a_vector_held_by_many_chunks_does_not_hide_the_others(
    milvus: MilvusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call returns at most MOST rows; keys past a crowded one are still found, and an
    absent key is reported missing (once, not asked for forever)."""
    body = "memo"
    chunk = Chunk(0, body, body, Location(), 0, 0, len(body))
    vector = HashEmbedder().embed_passages([body], 1)[0]
    for n in range(3):  # three chunks share the key "crowd"
        doc = NewDocument(
            path=f"/root/c{n}", name=f"c{n}", root="/root", format="text",
            content_hash=f"c{n}", size=1, mtime_ns=1, title=None, pages=None, category=None,
        )  # fmt: skip
        milvus.put_document(doc, [NewChunk(chunk, ["memo"], "crowd")], {"crowd": vector})
    put(milvus, "zzz-late")  # a key sorted after the crowded one
    monkeypatch.setattr(milvus_store, "MOST", 2)
    late = hashlib.sha256(b"zzz-late").hexdigest()
    assert milvus.missing_vectors(["crowd", late, "absent"]) == {"absent"}
