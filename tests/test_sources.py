"""Sources beyond a folder against real servers on loopback: Azurite (Azure Blob), moto's S3
server and Samba (an SMB share). Each test runs for the three: ingest indexes, a rerun
reads nothing, changes, renames and deletes are followed, readers come from the source,
bad sources get one clear line, and a source that fails midway loses nothing."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests import builders, stores
from tests.conftest import CountingEmbedder
from tests.stores import Box
from yomitoki import assemble, syncing
from yomitoki.cli import main
from yomitoki.errors import SourceError
from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.source import GoneError, Listed, Source
from yomitoki.server.app import create_app
from yomitoki.settings import Settings, load_settings
from yomitoki.types import IngestReport, Mode, Outcome

pytestmark = pytest.mark.slow  # servers started as processes: make test and CI

LEAVE = b"# Leave\n\nNew employees get 10 days of paid leave zqleave after six months.\n"
GUIDE = b"# Guide\n\nThe office opens at nine zqguide and closes at six.\n"


def settings_of(box: Box, tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(
        index=tmp_path / "index.sqlite", embedder="hash", min_answerability=0.0,
        **box.settings(), **extra,
    )  # fmt: skip


def config_of(box: Box, tmp_path: Path) -> Path:
    """A yomitoki.toml naming the index and what reaches ``box`` (for the CLI)."""
    config = tmp_path / "yomitoki.toml"
    config.write_text(config_of_settings(tmp_path, box.settings()))
    return config


def ingest(box: Box, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """``yomitoki ingest URI --json``: its exit code and report (or its error line)."""
    config = config_of(box, tmp_path)
    run = CliRunner().invoke(main, ["ingest", box.uri, "--config", str(config), "--json", *args])
    if run.exit_code not in (0, 1) or not run.stdout.strip():
        return run.exit_code, {"error": run.output}
    return run.exit_code, json.loads(run.stdout)


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["outcome"] for f in report["files"]}


class Counting(Source):
    """A source read through, counting the entries read; ``fail_after`` reads it fails as
    a source that went away, ``gone`` entries are deleted while they are read."""

    def __init__(self, inner: Source, fail_after: int | None = None, gone: str = "") -> None:
        self.inner, self.uri = inner, inner.uri
        self.reads: list[str] = []
        self.fail_after, self.gone = fail_after, gone

    def listing(self) -> Iterator[Listed]:
        return self.inner.listing()

    def read(self, key: str, into: BinaryIO) -> None:
        if self.fail_after is not None and len(self.reads) >= self.fail_after:
            raise SourceError(f"{self.uri}: cannot reach the server (test)")
        if key == self.gone:
            raise GoneError(key)
        self.reads.append(key)
        self.inner.read(key, into)


def synced(settings: Settings, source: Source, embedder: CountingEmbedder) -> Any:
    with assemble.open_engine(settings) as engine:
        ingester = Ingester(engine, embedder, assemble.ingest_options(settings))
        return ingester.sync(source, assemble.source_cache(settings))


def test_ingest_a_source_then_a_rerun_changes_nothing_and_a_deleted_entry_goes(
    box: Box, tmp_path: Path
) -> None:
    box.put("hr/leave.md", LEAVE, "group:hr")
    box.put("guide.md", GUIDE)
    code, report = ingest(box, tmp_path)
    assert code == 0, json.dumps(report)
    assert outcomes(report) == {"hr/leave.md": "added", "guide.md": "added"}
    settings = settings_of(box, tmp_path)
    with assemble.open_engine(settings) as engine:
        docs = {d.name: d for d in engine.documents()}
    # Citations name the path under the source; the document records where it came from.
    assert set(docs) == {"hr/leave.md", "guide.md"}
    assert docs["hr/leave.md"].path == f"{box.uri}/hr/leave.md"
    # Readers carried from the blob's metadata, the object's tag, the file's ACL.
    assert docs["hr/leave.md"].readers == ("group:hr",)
    assert docs["guide.md"].readers == ("*",)

    code, report = ingest(box, tmp_path)
    assert code == 0 and set(outcomes(report).values()) == {"unchanged"}

    box.delete("guide.md")
    code, report = ingest(box, tmp_path)
    assert code == 0 and outcomes(report) == {"hr/leave.md": "unchanged", "guide.md": "removed"}
    with assemble.open_engine(settings) as engine:
        assert [d.name for d in engine.documents()] == ["hr/leave.md"]


def test_unchanged_entries_are_not_read_and_changed_ones_replace_their_chunks(
    box: Box, tmp_path: Path
) -> None:
    box.put("guide.md", GUIDE)
    box.put("hr/leave.md", LEAVE, "group:hr")
    settings, embedder = settings_of(box, tmp_path), CountingEmbedder()
    first = Counting(assemble.source(settings, box.uri))
    synced(settings, first, embedder)
    assert sorted(first.reads) == ["guide.md", "hr/leave.md"]

    again = Counting(assemble.source(settings, box.uri))
    embedded = len(embedder.calls)
    report = synced(settings, again, embedder)
    assert again.reads == [] and len(embedder.calls) == embedded
    assert {r.outcome for r in report.results} == {Outcome.UNCHANGED}

    box.put("guide.md", GUIDE.replace(b"zqguide", b"zqmoved"))
    changed = Counting(assemble.source(settings, box.uri))
    report = synced(settings, changed, embedder)
    assert changed.reads == ["guide.md"]
    assert {r.name: r.outcome for r in report.results}["guide.md"] is Outcome.UPDATED
    assert keyword_hits(settings, "zqmoved") == ["guide.md"]
    assert keyword_hits(settings, "zqguide") == []


def keyword_hits(settings: Settings, word: str) -> list[str]:
    """The names of the documents whose chunks hold ``word`` (a keyword search)."""
    retriever = assemble.open_answerer(settings).retriever
    try:
        hits = retriever.search(word, Mode.KEYWORD, 5)
    finally:
        retriever.close()
    return sorted({h.document for h in hits if word in h.text})


def test_a_renamed_entry_is_known_by_its_bytes_and_embeds_nothing(box: Box, tmp_path: Path) -> None:
    box.put("old/guide.md", GUIDE)
    settings, embedder = settings_of(box, tmp_path), CountingEmbedder()
    synced(settings, assemble.source(settings, box.uri), embedder)
    embedded = len(embedder.calls)
    box.put("new/guide.md", GUIDE)
    box.delete("old/guide.md")
    report = synced(settings, assemble.source(settings, box.uri), embedder)
    (result,) = report.results
    assert (result.name, result.outcome, result.previous_name) == (
        "new/guide.md", Outcome.RENAMED, "old/guide.md",
    )  # fmt: skip
    assert len(embedder.calls) == embedded
    assert keyword_hits(settings, "zqguide") == ["new/guide.md"]


def test_a_source_that_fails_midway_keeps_what_was_there_and_removes_nothing(
    box: Box, tmp_path: Path
) -> None:
    for n in range(3):
        box.put(f"doc{n}.md", GUIDE.replace(b"zqguide", f"zqdoc{n}".encode()))
    settings, embedder = settings_of(box, tmp_path), CountingEmbedder()
    synced(settings, assemble.source(settings, box.uri), embedder)
    for n in range(3):
        box.put(f"doc{n}.md", GUIDE.replace(b"zqguide", f"zqnew{n}".encode()))
    box.put("doc3.md", GUIDE)
    failing = Counting(assemble.source(settings, box.uri), fail_after=1)
    with pytest.raises(SourceError, match="cannot reach"):
        synced(settings, failing, embedder)
    # The entry read before the source failed is written; the others are as they were, and
    # nothing is removed for entries the run never reached.
    (read,) = failing.reads
    with assemble.open_engine(settings) as engine:
        names = sorted(d.name for d in engine.documents())
    assert names == sorted({"doc0.md", "doc1.md", "doc2.md", read})
    old = [n for n in range(3) if keyword_hits(settings, f"zqdoc{n}")]
    new = [n for n in range(3) if keyword_hits(settings, f"zqnew{n}")]
    assert new == ([] if read == "doc3.md" else [int(read[3])])
    assert sorted(old + new) == [0, 1, 2]
    # The next sync that runs through brings the rest.
    synced(settings, assemble.source(settings, box.uri), embedder)
    assert all(keyword_hits(settings, f"zqnew{n}") for n in range(3))
    assert keyword_hits(settings, "zqguide") == ["doc3.md"]


def test_an_entry_deleted_while_it_is_read_fails_alone(box: Box, tmp_path: Path) -> None:
    box.put("a.md", GUIDE)
    box.put("b.md", LEAVE)
    settings, embedder = settings_of(box, tmp_path), CountingEmbedder()
    report = synced(settings, Counting(assemble.source(settings, box.uri), gone="a.md"), embedder)
    results = {r.name: r for r in report.results}
    assert results["b.md"].outcome is Outcome.ADDED
    assert results["a.md"].outcome is Outcome.FAILED
    assert results["a.md"].error == "it was removed from its source while it was read"


def test_content_and_pages_are_read_from_what_was_ingested(box: Box, tmp_path: Path) -> None:
    box.put("hr/leave.md", LEAVE, "group:hr")
    settings = settings_of(box, tmp_path)
    synced(settings, assemble.source(settings, box.uri), CountingEmbedder())
    with TestClient(create_app(settings)) as client:
        shown = client.get("/content/hr/leave.md")
        assert shown.status_code == 200 and shown.text == LEAVE.decode()
        # The source changes; what is shown is what was indexed until the next sync.
        box.put("hr/leave.md", LEAVE.replace(b"10 days", b"12 days"), "group:hr")
        assert client.get("/content/hr/leave.md").text == LEAVE.decode()
        # Nothing of a request names a path: a name outside the index is not found.
        assert client.get("/content/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_a_sources_pdf_page_is_drawn_with_its_sentence_highlighted(
    box: Box, tmp_path: Path
) -> None:
    pdf = builders.pdf(tmp_path / "rules.pdf", [["Overview."], ["Leave is 10 days a year."]])
    box.put("hr/rules.pdf", pdf.read_bytes())
    settings = settings_of(box, tmp_path)
    synced(settings, assemble.source(settings, box.uri), CountingEmbedder())
    with TestClient(create_app(settings)) as client:
        drawn = client.get(
            "/page/hr/rules.pdf", params={"page": 2, "highlight": "Leave is 10 days a year."}
        )
        assert drawn.status_code == 200 and drawn.content.startswith(b"\x89PNG")
        assert drawn.headers["x-highlight"] == "found"
        assert client.get("/content/hr/rules.pdf").content == pdf.read_bytes()


def wrong(box: Box) -> tuple[dict[str, object], str]:
    """Settings that reach ``box``'s server with credentials it refuses, and what is said."""
    if box.kind == "azure":
        connection = str(box.settings()["azure_connection_string"])
        key = connection.split("AccountKey=")[1].split(";")[0]
        bad = connection.replace(key, "d3Jvbmcta2V5" * 8)
        return {"azure_connection_string": bad}, "refused the credentials"
    if box.kind == "s3":
        # moto takes any key; an endpoint that is not S3 at all is the wrong store.
        return {**box.settings(), "s3_endpoint_url": "http://127.0.0.1:9"}, "cannot reach"
    return {**box.settings(), "smb_password": "not-the-password"}, "refused the user or password"


def unreachable(box: Box) -> dict[str, object]:
    """Settings that point ``box``'s kind at a port where nothing listens."""
    if box.kind == "azure":
        connection = str(box.settings()["azure_connection_string"])
        port = connection.split("127.0.0.1:")[1].split("/")[0]
        return {"azure_connection_string": connection.replace(f":{port}/", ":9/")}
    if box.kind == "s3":
        return {**box.settings(), "s3_endpoint_url": "http://127.0.0.1:9"}
    return box.settings()


def test_a_bad_source_gets_one_clear_line_and_loses_nothing(
    box: Box, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box.put("guide.md", GUIDE)
    code, report = ingest(box, tmp_path)
    assert code == 0 and outcomes(report) == {"guide.md": "added"}
    misnamed = box.uri + "-missing" if box.kind != "smb" else box.uri.replace("/docs/", "/nope/")
    cases: list[tuple[str, dict[str, object], str]] = [
        (misnamed, box.settings(), "no such"),
        (box.uri, *wrong(box)),
    ]
    if box.kind != "smb":
        cases.append((box.uri, unreachable(box), "cannot reach"))
    else:
        cases.append((box.uri.replace(box.uri.split("/")[2], "127.0.0.1:9"), box.settings(),
                      "cannot reach"))  # fmt: skip
    for uri, settings, said in cases:
        runner = CliRunner()
        config = tmp_path / "bad.toml"
        config.write_text(config_of_settings(tmp_path, settings))
        run = runner.invoke(main, ["ingest", uri, "--config", str(config)])
        lines = [line for line in run.output.splitlines() if line.strip()]
        assert run.exit_code == 1 and len(lines) == 1, run.output
        assert lines[0].startswith("error: ") and said in lines[0], (uri, lines)
        for secret in ("not-the-password", "d3Jvbmcta2V5", box.settings().get("smb_password")):
            assert not secret or str(secret) not in run.output
    with assemble.open_engine(settings_of(box, tmp_path)) as engine:
        assert [d.name for d in engine.documents()] == ["guide.md"]


def config_of_settings(tmp_path: Path, settings: dict[str, object]) -> str:
    lines = [f"index = {json.dumps(str(tmp_path / 'index.sqlite'))}", 'embedder = "hash"',
             "source_timeout = 5"]  # fmt: skip
    tables = []
    for key, value in settings.items():
        if isinstance(value, dict):
            tables += [
                f"[{key}]",
                *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()),
            ]
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines + tables) + "\n"


def until(found: Callable[[], bool], seconds: float) -> float:
    """Poll ``found`` until it holds; the seconds it took (fails past ``seconds``)."""
    began = time.monotonic()
    while not found():
        assert time.monotonic() - began < seconds, f"not within {seconds} s"
        time.sleep(0.25)
    return time.monotonic() - began


def test_a_new_file_in_a_watched_folder_is_searchable_within_15_seconds(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_bytes(GUIDE)
    settings = load_settings(index=tmp_path / "index" / "index.sqlite", embedder="hash")
    told: list[object] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=syncing.watch, args=(settings, str(folder), told.append, stop), daemon=True
    )
    watcher.start()
    try:
        until(lambda: bool(told), 30)
        assert keyword_hits(settings, "zqguide") == ["guide.md"]
        (folder / "hr").mkdir()
        (folder / "hr" / "leave.md").write_bytes(LEAVE)
        until(lambda: keyword_hits(settings, "zqleave") == ["hr/leave.md"], 15)
        (folder / "guide.md").unlink()
        until(lambda: keyword_hits(settings, "zqguide") == [], 15)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert all(isinstance(outcome, IngestReport) for outcome in told), told


def test_a_served_index_keeps_its_sources_in_sync_and_one_failing_stops_none(
    box: Box, tmp_path: Path
) -> None:
    box.put("guide.md", GUIDE)
    broken = "az://no-such-container" if box.kind != "azure" else box.uri + "-gone"
    interval = 2.0
    # Beside the box, a source that cannot be synced: a missing container, or for the other
    # kinds an az:// source whose connection string is not one.
    unusable = {} if box.kind == "azure" else {"azure_connection_string": "not a connection"}
    settings = settings_of(
        box, tmp_path, sources=[broken, box.uri], sync_interval=interval, **unusable
    )
    with TestClient(create_app(settings)) as client:

        def names() -> list[str]:
            return [d["name"] for d in client.get("/documents").json()["documents"]]

        until(lambda: names() == ["guide.md"], 30)
        box.put("hr/leave.md", LEAVE, "group:hr")
        took = until(lambda: names() == ["guide.md", "hr/leave.md"], interval + 15)
        states = {s["source"]: s for s in client.get("/documents").json()["sources"]}
        assert states[box.uri]["error"] is None and states[box.uri]["failures"] == 0
        assert states[box.uri]["counts"]["unchanged"] + states[box.uri]["counts"]["added"] >= 1
        assert states[broken]["failures"] >= 1 and states[broken]["error"]
    assert took <= interval + 15
    # The CLI shows the same record.
    run = CliRunner().invoke(main, ["sources", "--config", str(config_of(box, tmp_path))])
    assert run.exit_code == 0 and f"{box.uri}: " in run.output and "failed" in run.output


def test_an_azure_account_is_reached_by_its_key_or_a_sas_as_well(
    azurite: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    box = stores.AzureBox(azurite, f"t{uuid.uuid4().hex[:12]}")
    box.put("guide.md", GUIDE)
    endpoint = azurite.split("BlobEndpoint=")[1].rstrip(";")
    sas = generate_container_sas(
        stores.AZURITE_ACCOUNT, box.client.container_name, account_key=stores.AZURITE_KEY,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip
    for n, credential in enumerate((stores.AZURITE_KEY, sas)):
        settings = load_settings(
            index=tmp_path / f"index{n}.sqlite", embedder="hash",
            azure_account_url=endpoint, azure_credential=credential,
        )  # fmt: skip
        report = synced(settings, assemble.source(settings, box.uri), CountingEmbedder())
        assert [(r.name, r.outcome) for r in report.results] == [("guide.md", Outcome.ADDED)]
    # A key that is not the account's is refused, in one line.
    settings = load_settings(
        index=tmp_path / "index2.sqlite", embedder="hash",
        azure_account_url=endpoint, azure_credential="d3Jvbmcta2V5" * 8,
    )  # fmt: skip
    with pytest.raises(SourceError, match="refused the credentials"):
        synced(settings, assemble.source(settings, box.uri), CountingEmbedder())


def test_a_watched_source_is_synced_every_interval(box: Box, tmp_path: Path) -> None:
    box.put("guide.md", GUIDE)
    settings = settings_of(box, tmp_path, sync_interval=1)
    told: list[object] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=syncing.watch, args=(settings, box.uri, told.append, stop), daemon=True
    )
    watcher.start()
    try:
        # Searched from the first moment: the index may be being created meanwhile.
        until(lambda: bool(told) and keyword_hits(settings, "zqguide") == ["guide.md"], 30)
        box.put("hr/leave.md", LEAVE, "group:hr")
        until(lambda: keyword_hits(settings, "zqleave") == ["hr/leave.md"], 1 + 15)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive() and len(told) >= 2
    assert all(isinstance(outcome, IngestReport) for outcome in told), told
