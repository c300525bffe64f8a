"""What docs/architecture.md promises and import-linter cannot check: module size, the public
API, errors that carry their meaning, and one JSON shape per type."""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import yomitoki
from tests import builders
from yomitoki import assemble, errors, serialize
from yomitoki.cli import main
from yomitoki.server.app import create_app
from yomitoki.server.mcp_tools import build_mcp
from yomitoki.settings import load_settings
from yomitoki.types import Hit, LegScore, Location

SRC = Path(yomitoki.__file__).parent


def test_no_module_is_over_400_lines() -> None:
    sizes = {p.relative_to(SRC): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > 400} == {}


def test_the_public_api_is_what_all_names_and_each_name_resolves() -> None:
    public = set(yomitoki.__all__) - {"__version__"}
    assert {"open_index", "Index", "Settings", "Hit", "Answer", "Filters"} <= public
    for name in public:
        assert getattr(yomitoki, name).__doc__, name
    with pytest.raises(AttributeError):
        _ = yomitoki.Store  # type: ignore[attr-defined]


def test_the_public_api_ingests_searches_and_answers(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    builders.pdf(
        docs / "policy.pdf",
        [["Remote work. Staff may work remotely three days a week."], ["Parking is free."]],
    )
    with yomitoki.open_index(
        tmp_path / "i.sqlite", embedder="hash", min_answerability=0.0
    ) as index:
        report = index.ingest(docs)
        assert not report.failed and [d.name for d in index.documents()] == ["policy.pdf"]
        (hit, *_) = index.search("remote work days", mode="keyword")
        assert hit.citation() == "policy.pdf#page=1"
        answer = index.ask("How many days a week can staff work remotely?")
        assert answer.citations == ("policy.pdf#page=1",) and "three days" in answer.text


def test_every_error_says_what_it_means_to_http_and_the_shell() -> None:
    classes = [c for c in vars(errors).values() if isinstance(c, type)]
    classes = [c for c in classes if issubclass(c, errors.YomitokiError)]
    assert len(classes) >= 15
    for cls in classes:
        assert 400 <= cls.status < 600 and cls.code and cls.exit_code >= 1, cls
    # The server's own faults are the server's: a client can do nothing about them.
    for fault in (errors.StoreError, errors.EmbedderError, errors.ConfigError):
        assert fault.status == 500
    assert errors.LLMError.status == 502 and errors.IndexBusyError.status == 503
    assert errors.UnsupportedFormatError.status == 415 and errors.FileTooLargeError.status == 413


def test_a_hit_has_one_json_shape_everywhere(indexed: Path) -> None:
    """The CLI's --json, the HTTP API's thought process and MCP's search tool show a hit as
    ``serialize.hit`` makes it."""
    hit = Hit(7, "a.pdf", Location(page=3), "text", 0.123456, {"vector": LegScore(1, 0.98765)})
    shape = serialize.hit(hit)
    assert shape["citation"] == "a.pdf#page=3" and shape["score"] == 0.1235
    assert shape["legs"] == {"vector": {"rank": 1, "score": 0.9877}}
    assert shape["location"]["where"] == "page 3"
    settings = load_settings(index=indexed, embedder="hash", min_answerability=0.0)
    query = "warranty parts"
    answerer = assemble.open_answerer(settings)
    try:
        hits = answerer.retriever.search(query, settings.search_mode, settings.top)
        expected = json.loads(json.dumps([serialize.hit(h) for h in hits]))
        cli = CliRunner(env={"YOMITOKI_EMBEDDER": "hash"}).invoke(
            main, ["search", query, "--index", str(indexed), "--json"]
        )
        assert json.loads(cli.stdout) == expected
        found = anyio.run(build_mcp(answerer, settings.top).call_tool, "search", {"query": query})
        assert found.structured_content == {"hits": expected}
        # An answer searches as its retrieval does (an English question also in the
        # Japanese documents' words: rag.crosslingual), and shows those hits the same way.
        asked = answerer.retrieve(query, (), assemble.answer_options(settings)).hits
        answered = json.loads(json.dumps([serialize.hit(h) for h in asked]))
    finally:
        answerer.retriever.close()
    with TestClient(create_app(settings)) as client:
        body = {"messages": [{"role": "user", "content": query}]}
        thoughts = client.post("/chat", json=body).json()["context"]["thoughts"]
    (results,) = [t["description"] for t in thoughts if t["title"] == "Search results"]
    assert [r["citation"] for r in results] == [h["citation"] for h in answered][: len(results)]
    assert all(set(r) == set(expected[0]) for r in results)


def test_core_option_objects_have_no_defaults_of_their_own() -> None:
    """Every default is in settings (one home); the core's options, whatever their number,
    are built by yomitoki.assemble. A class of options that brings its own default fails."""
    core = [SRC / part for part in ("text", "ingest", "rag", "evals")]
    core += [SRC / "index" / name for name in ("engine.py", "fusion.py", "search.py")]
    files = [f for root in core for f in ([root] if root.is_file() else root.rglob("*.py"))]
    found = {}
    for path in files:
        for cls in ast.walk(ast.parse(path.read_text())):
            if isinstance(cls, ast.ClassDef) and cls.name.endswith(("Options", "Fusion")):
                fields = [n for n in cls.body if isinstance(n, ast.AnnAssign)]
                found[cls.name] = [ast.unparse(f.target) for f in fields if f.value is not None]
    assert {"IngestOptions", "SearchOptions", "Fusion", "AnswerOptions", "OcrOptions"} <= set(found)
    assert {name: given for name, given in found.items() if given} == {}


ROOT = SRC.parents[1]
DOC = ROOT / "docs" / "architecture.md"


def test_every_file_the_architecture_page_names_exists() -> None:
    """docs/architecture.md names files (``scan.py``, ``ingest/parsers/``) and code
    (``rag.answer.Answerer.stream``): each must exist, so the page cannot drift unnoticed."""
    text = DOC.read_text()
    files = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")}
    files |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "bench").glob("*.py")}
    folders = {p.relative_to(SRC).as_posix() + "/" for p in SRC.rglob("*") if p.is_dir()}
    named = set(re.findall(r"[\w/]*\w\.py\b", text))
    assert named, "the page names no file?"
    for name in named:
        assert any(f == name or f.endswith("/" + name) for f in files), name
    for folder in re.findall(r"`([\w/]+/)`", text):
        assert any(f == folder or f.endswith("/" + folder) for f in folders), folder
    dotted = re.findall(r"`((?:rag|index|ingest|server|text|backends|evals)\.[\w.]+)`", text)
    dotted += re.findall(r"`((?:assemble|serialize)\.(?!py`)\w+)`", text)
    assert len(dotted) >= 5
    for name in dotted:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                found: object = importlib.import_module("yomitoki." + ".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
            break
        else:
            pytest.fail(f"{name} names no module of yomitoki")
