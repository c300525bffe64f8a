"""Shared fixtures: temporary indexes and small real corpora."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

# onnxruntime (the cross-encoder reranker) crashes the process when it loads after usearch,
# which any search loads; the app builds its reranker before its first search, and this
# process runs many searches before the cross-encoder's tests, so load it first here too.
with contextlib.suppress(ImportError):  # without it the cross-encoder's tests skip
    import onnxruntime  # noqa: F401
from tests import builders
from tests.oidc_issuer import Issuer
from tests.options import ingest_options, open_store
from yomitoki.backends.fake import HashEmbedder
from yomitoki.cli import main
from yomitoki.index.engine import Engine
from yomitoki.index.milvus.client import MilvusOptions
from yomitoki.index.milvus.lite import serve
from yomitoki.index.milvus.store import MilvusStore
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting every text it is asked to embed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def embed_batch(self, texts, kind):  # type: ignore[no-untyped-def]
        self.calls.extend(texts)
        return super().embed_batch(texts, kind)


@pytest.fixture(scope="session", autouse=True)
def test_client_host() -> Iterator[None]:
    """Starlette's TestClient reaches an app as http://testserver/: the name the server is
    reached by in these tests, so it is an allowed host, as a deployment's name would be.
    (Tests of the Host check set ``allowed_hosts`` themselves, which wins over this.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YOMITOKI_ALLOWED_HOSTS", '["testserver"]')
        yield


@pytest.fixture
def indexed(corpus: Path, tmp_path: Path) -> Path:
    """The corpus ingested by ``yomitoki ingest`` (in this process) into a fresh index."""
    index = tmp_path / "cli" / "index.sqlite"
    done = CliRunner().invoke(
        main, ["ingest", str(corpus), "--index", str(index), "--embedder", "hash"]
    )
    assert done.exit_code == 0, done.output
    return index


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "index" / "test.sqlite") as opened:
        yield opened


#: The engines every behavioural test of the index runs against; Milvus (a server started
#: for the session) in the slow lane only.
#: The storage servers the sources' tests run against (Azurite, moto's S3, Samba).
pytest_plugins = ["tests.stores"]
ENGINES = ["sqlite", pytest.param("milvus", marks=pytest.mark.slow)]


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Milvus Lite 2.5 (the C++ engine) on a free loopback port, for the whole session."""
    with serve(tmp_path_factory.mktemp("milvus") / "milvus.db") as uri:
        yield uri


def engine_settings(kind: str, folder: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings that put an index of engine ``kind`` in ``folder`` or, for Milvus, in
    collections of its own on the session's server."""
    index = {"index": folder / "index.sqlite"}
    if kind == "sqlite":
        return index
    uri = request.getfixturevalue("milvus_uri")
    collection = f"t{uuid.uuid4().hex[:16]}"
    return {**index, "store": "milvus", "milvus_uri": uri, "milvus_collection": collection}


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty index in each engine."""
    opened: Engine
    if request.param == "sqlite":
        opened = open_store(tmp_path / "index" / "test.sqlite")
    else:
        where = engine_settings("milvus", tmp_path, request)
        options = MilvusOptions(where["milvus_uri"], where["milvus_collection"], "FLAT")
        opened = MilvusStore.open(options)
    with opened:
        yield opened
        if isinstance(opened, MilvusStore):
            opened.drop()


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def ingester(engine: Engine, embedder: CountingEmbedder) -> Ingester:
    return Ingester(engine, embedder, ingest_options(chunk_size=300, chunk_overlap=50))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with one real file of every supported format."""
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    builders.pdf(
        root / "manual.pdf",
        [
            ["Chapter one. The warranty covers parts for two years."],
            ["Chapter two. Returns are accepted within thirty days."],
            ["第三章 保証期間は二年間です。", "修理の申込みはサポート窓口で受け付けます。"],
        ],
    )
    builders.docx_file(
        root / "policy.docx",
        [("h1", "Travel Policy"), ("p", "Book trains in advance."),
         ("h2", "Hotels"), ("p", "The nightly hotel limit is 150 dollars."),
         ("table", "City|Limit;Tokyo|180")],
    )  # fmt: skip
    builders.pptx_file(
        root / "deck.pptx",
        [("Kickoff", "Project goals for the year", ""),
         ("Budget", "The budget is 2 million yen", "Ask finance for details")],
    )  # fmt: skip
    builders.xlsx_file(
        root / "prices.xlsx",
        {"Prices": [["Item", "Price"], ["Apple", 120], ["Melon", 980]],
         "Stock": [["Item", "Count"], ["Apple", 40]]},
    )  # fmt: skip
    builders.text(
        root / "page.html",
        "<html><head><title>Help</title><script>var x=1;</script></head><body>"
        "<nav>menu</nav><h1>Support</h1><p>Call us on weekdays.</p>"
        "<h2>Hours</h2><p>Open from 9 to 5.</p></body></html>",
    )
    builders.text(
        root / "notes.md",
        "# 社内規程\n\n就業時間は9時から18時までです。\n\n## 休暇\n\n年次有給休暇は20日です。\n\n"
        "```\n# not a heading\n```\n",
    )
    builders.text(
        root / "sub" / "memo.txt",
        "会議は毎週月曜日に行います。議事録は共有フォルダに保存します。",
        "cp932",
    )
    builders.text(root / "sub" / "staff.csv", "name,team\nSato,Sales\nSuzuki,Support\n")
    items = [{"Title": "Fix login", "State": "New"}, {"Title": "Add search", "State": "Done"}]
    builders.json_file(root / "sub" / "items.json", items)
    return root


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    """A local OpenID provider, serving on loopback for the tests of one module."""
    started = Issuer()
    thread = threading.Thread(target=started.server.serve_forever, daemon=True)
    thread.start()
    yield started
    started.server.shutdown()
    started.server.server_close()
