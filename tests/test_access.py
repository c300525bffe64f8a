"""Who may read what: rules at ingest, principals from keys, and nothing leaking anywhere.

alice is in hr, bob in no group, carol in legal and sales, admin is an admin; the plain API
key is the anonymous principal. Each document holds a marker word no other one has, so a
leak shows as a marker (or a file name) in a response it should not be in.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests import builders, stores
from tests.conftest import ENGINES, CountingEmbedder, engine_settings
from tests.options import ingest_options, open_store
from tests.options import searcher as searcher_over
from tests.servers import served
from yomitoki import assemble
from yomitoki.cli import main
from yomitoki.errors import ConfigError
from yomitoki.index.engine import Engine, Filters
from yomitoki.index.sqlite import migrations
from yomitoki.ingest.access import AccessRule
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app
from yomitoki.server.mcp_tools import build_mcp
from yomitoki.settings import Settings, load_settings
from yomitoki.types import Mode

KEYS = {"alice": "k-alice-1", "bob": "k-bob-22", "carol": "k-carol-333", "admin": "k-admin-4"}
GROUPS = {"alice": ["hr"], "bob": [], "carol": ["legal", "sales"], "admin": []}
ANONYMOUS_KEY = "k-plain-5555"
#: Folder -> the groups that may read it (None: everyone).
FOLDERS: dict[str, list[str] | None] = {
    "hr": ["hr"], "legal": ["legal"], "sales": ["sales"], "public": None,
}  # fmt: skip
BASE: dict[str, Any] = {"min_answerability": 0.0, "embedder": "hash"}


def users() -> list[dict[str, Any]]:
    return [
        {"name": name, "key_sha256": hashlib.sha256(key.encode()).hexdigest(),
         "groups": GROUPS[name], "admin": name == "admin"}
        for name, key in KEYS.items()
    ]  # fmt: skip


def rules() -> list[dict[str, Any]]:
    return [{"path": f"{f}/**", "groups": g} for f, g in FOLDERS.items() if g is not None]


def settings_for(where: dict[str, Any], **extra: Any) -> Settings:
    """Settings over the index ``where`` names (``engine_settings``), with the users and rules
    (an index of a source has its readers from the source, and no rules)."""
    given = {"users": users(), "permissions": rules(), "api_keys": [ANONYMOUS_KEY], **extra}
    return load_settings(**{**BASE, **given, **where})


def config_for(where: dict[str, Any], folder: Path) -> Path:
    """A yomitoki.toml over the index ``where`` names, with the users (for the CLI)."""
    config = folder / "yomitoki.toml"
    scalars = {k: v for k, v in where.items() if isinstance(v, str | Path | int | float)}
    lines = [f"{key} = {json.dumps(str(value))}" for key, value in scalars.items()]
    lines += ['embedder = "hash"', "min_answerability = 0.0"]
    for user in users():
        lines += ["[[users]]", *(f"{k} = {json.dumps(v)}" for k, v in user.items())]
    config.write_text("\n".join(lines) + "\n")
    return config


def sqlite_at(path: Path) -> dict[str, Any]:
    return {"index": path}


def marker(folder: str, n: int) -> str:
    return f"zq{folder}{n}x"


def may_read(user: str, folder: str) -> bool:
    groups = FOLDERS[folder]
    return user == "admin" or groups is None or bool(set(groups) & set(GROUPS.get(user, [])))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three documents a folder, each with its own marker word and a shared subject."""
    root = tmp_path_factory.mktemp("org")
    rng = random.Random(11)
    for folder in FOLDERS:
        (root / folder).mkdir()
        for n in range(3):
            words = " ".join(rng.choice(["budget", "policy", "leave", "travel"]) for _ in range(6))
            builders.text(
                root / folder / f"{folder}-{n}.md",
                f"# {folder} memo {n}\n\nThe {marker(folder, n)} rule covers {words}. "
                f"Salary review and holiday planning for {folder} staff {marker(folder, n)}.\n",
            )
    return root


#: The corpus also kept in each kind of source, its readers carried by the source (blob
#: metadata, object tags, the share's ACLs) and no rule: every leak test runs over them too.
SOURCES = [pytest.param(kind, marks=pytest.mark.slow) for kind in stores.KINDS]


def ingested(kind: str, root: Path, request: pytest.FixtureRequest, folder: Path) -> dict[str, Any]:
    """``root`` ingested into an index of engine ``kind``, or through a source of ``kind``
    into a SQLite index: the settings that name the index."""
    if kind not in stores.KINDS:
        where = engine_settings(kind, folder, request)
        settings = settings_for(where)
        with assemble.open_engine(settings) as engine:
            Ingester(engine, CountingEmbedder(), assemble.ingest_options(settings)).run(root)
        return where
    box = stores.new_box(kind, request)
    stores.fill(box, root, source_readers)
    where = {"index": folder / "index.sqlite", "permissions": [], **box.settings()}
    settings = settings_for(where)
    with assemble.open_engine(settings) as engine:
        ingester = Ingester(engine, CountingEmbedder(), assemble.ingest_options(settings))
        ingester.sync(assemble.source(settings, box.uri), assemble.source_cache(settings))
    return where


def source_readers(name: str) -> str | None:
    """What a source keeps as the readers of the corpus's file ``name``: its folder's group."""
    groups = FOLDERS[name.split("/")[0]]
    return " ".join(f"group:{g}" for g in groups) if groups else None


def kind_of(where: dict[str, Any]) -> str:
    for kind, setting in (("azure", "azure_connection_string"), ("s3", "s3_endpoint_url"),
                          ("smb", "smb_user"), ("milvus", "milvus_uri")):  # fmt: skip
        if setting in where:
            return kind
    return "sqlite"


@pytest.fixture(scope="module", params=ENGINES + SOURCES)
def index(
    request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The corpus ingested into each engine, and through each source: the settings that
    name the index."""
    return ingested(request.param, corpus, request, tmp_path_factory.mktemp("idx"))


@pytest.fixture(scope="module")
def app_client(index: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(index)), raise_server_exceptions=False) as c:
        yield c


def headers(user: str) -> dict[str, str]:
    key = ANONYMOUS_KEY if user == "anonymous" else KEYS[user]
    return {"Authorization": f"Bearer {key}"}


def every_route(client: TestClient, user: str, question: str) -> str:
    """The text of every answer route's response to ``question`` as ``user``, joined, without
    the question itself (the thought process repeats it: the asker's own words)."""
    body = {"messages": [{"role": "user", "content": question}]}
    out = []
    for route in ("/chat", "/chat/stream"):
        response = client.post(route, json=body, headers=headers(user))
        assert response.status_code == 200, response.text
        out.append(response.text)
    for stream in (False, True):
        response = client.post(
            "/v1/chat/completions", json={**body, "stream": stream}, headers=headers(user)
        )
        assert response.status_code == 200, response.text
        out.append(response.text)
        # Azure OpenAI On Your Data, its key sent as Azure sends it.
        on_your_data = {**body, "stream": stream, "data_sources": [{"type": "azure_search"}]}
        key = headers(user)["Authorization"].removeprefix("Bearer ")
        response = client.post(
            "/openai/deployments/d/chat/completions?api-version=2024-02-01",
            json=on_your_data,
            headers={"api-key": key},
        )
        assert response.status_code == 200, response.text
        out.append(response.text)
    return "\n".join(out).replace(question, "<question>")


def test_rules_give_each_document_its_readers(index: dict[str, Any]) -> None:
    with assemble.open_engine(settings_for(index)) as store:
        readers = {d.name: d.readers for d in store.documents()}
    assert readers["hr/hr-0.md"] == ("group:hr",)
    assert readers["sales/sales-2.md"] == ("group:sales",)
    assert readers["public/public-1.md"] == ("*",)


def test_no_key_or_a_wrong_one_gets_401_and_nothing_else(app_client: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": "salary review"}]}
    for extra in ({}, {"Authorization": "Bearer not-a-key"}, {"X-API-Key": "k-alice-2"}):
        for method, route in (("post", "/chat"), ("get", "/documents"), ("get", "/config"),
                              ("get", "/content/hr/hr-0.md"), ("get", "/page/hr/hr-0.md"),
                              ("get", "/view/hr/hr-0.md")):  # fmt: skip
            response = app_client.request(method, route, json=body, headers=extra)
            assert response.status_code == 401, (route, extra)
            assert "hr-0" not in response.text and "zqhr" not in response.text


def test_bob_gets_no_hr_text_name_or_citation_and_alice_gets_hers(app_client: TestClient) -> None:
    question = f"What does the {marker('hr', 0)} rule cover for salary review?"
    bob = every_route(app_client, "bob", question)
    assert "zqhr" not in bob and "hr-0.md" not in bob and "hr/" not in bob
    alice = every_route(app_client, "alice", question)
    assert marker("hr", 0) in alice and "hr/hr-0.md" in alice
    listed = app_client.get("/documents", headers=headers("bob")).json()["documents"]
    assert {d["name"].split("/")[0] for d in listed} == {"public"}
    assert "readers" not in listed[0]  # only admins see who may read what
    for route in ("/content", "/page", "/view"):
        gone = app_client.get(f"{route}/hr/hr-0.md", headers=headers("bob"))
        never = app_client.get(f"{route}/hr/no-such.md", headers=headers("bob"))
        assert gone.status_code == never.status_code == 404 and gone.json() == never.json()
    assert app_client.get("/content/hr/hr-0.md", headers=headers("alice")).status_code == 200
    assert app_client.get("/view/hr/hr-0.md", headers=headers("alice")).status_code == 200


def test_only_an_admin_is_shown_the_sources_and_their_syncs(app_client: TestClient) -> None:
    """A source's name, counts and errors speak of documents others may not read."""
    for user in ("alice", "bob", "anonymous"):
        listing = app_client.get("/documents", headers=headers(user)).json()
        assert "sources" not in listing
    assert "sources" in app_client.get("/documents", headers=headers("admin")).json()


def test_the_anonymous_key_reads_only_what_everyone_may(app_client: TestClient) -> None:
    listed = app_client.get("/documents", headers=headers("anonymous")).json()["documents"]
    assert {d["name"].split("/")[0] for d in listed} == {"public"}
    admin = app_client.get("/documents", headers=headers("admin")).json()["documents"]
    assert len(admin) == 12 and all("readers" in d for d in admin)


def test_randomized_queries_through_every_route_leak_nothing(app_client: TestClient) -> None:
    """Hundreds of answers across users: no marker or file name outside each user's rights,
    and each user's own documents are found."""
    rng = random.Random(5)
    folders = list(FOLDERS)
    found: dict[tuple[str, str], bool] = {}
    for _ in range(40):
        folder, n = rng.choice(folders), rng.randrange(3)
        question = f"{marker(folder, n)} salary review holiday planning"
        for user in ("alice", "bob", "carol", "anonymous"):
            text = every_route(app_client, user, question)
            for other in folders:
                if not may_read(user, other):
                    assert f"zq{other}" not in text and f"{other}/{other}-" not in text, (
                        user, other, question,
                    )  # fmt: skip
            if may_read(user, folder):
                found[(user, folder)] = found.get((user, folder), False) or (
                    marker(folder, n) in text
                )
    assert found and all(found.values()), found


def test_a_filter_is_applied_before_top_k_not_after(app_client: TestClient) -> None:
    """With many better-matching documents out of reach, the reader still gets full results."""
    body = {"messages": [{"role": "user", "content": "salary review holiday planning staff"}],
            "context": {"overrides": {"top": 3}}}  # fmt: skip
    response = app_client.post("/chat", json=body, headers=headers("bob")).json()
    cited = response["context"]["data_points"]["citations"]
    assert len(cited) == 3 and all(c.startswith("public/") for c in cited)


def test_changing_rules_updates_readers_without_parsing_or_embedding(
    corpus: Path, tmp_path: Path, engine: Engine
) -> None:
    here = sqlite_at(tmp_path / "i.sqlite")
    embedder = CountingEmbedder()
    Ingester(engine, embedder, assemble.ingest_options(settings_for(here))).run(corpus)
    embedded = len(embedder.calls)
    wider = settings_for(here, permissions=[{"path": "hr/**", "groups": ["hr", "legal"]}])
    report = Ingester(engine, embedder, assemble.ingest_options(wider)).run(corpus)
    assert {r.outcome.value for r in report.results} == {"unchanged"}
    assert len(embedder.calls) == embedded
    by_name = {d.name: d.readers for d in engine.documents()}
    assert by_name["hr/hr-1.md"] == ("group:hr", "group:legal")
    assert by_name["legal/legal-0.md"] == ("*",)  # no rule now: everyone
    # The engine filters by the new readers: legal reads hr now, sales still does not.
    searcher = searcher_over(engine, embedder)
    for group, sees in (("legal", True), ("sales", False)):
        readers = frozenset({"*", f"group:{group}"})
        hits = searcher.search(marker("hr", 1), Mode.KEYWORD, 5, Filters(readers=readers))
        assert any(h.document == "hr/hr-1.md" for h in hits) is sees, group


def test_a_rule_matching_nothing_warns_and_one_escaping_the_folder_is_refused(
    corpus: Path, tmp_path: Path
) -> None:
    path = tmp_path / "i.sqlite"
    typo = settings_for(sqlite_at(path), permissions=[{"path": "hrr/**", "groups": ["hr"]}])
    with open_store(path) as store:
        report = Ingester(store, CountingEmbedder(), assemble.ingest_options(typo)).run(corpus)
    assert report.warnings == (f"permission rule 'hrr/**' matches no file under {corpus}",)
    for bad in ("../secret/**", "/etc/**", "a\\b"):
        with pytest.raises(ConfigError, match="relative to the ingested folder"):
            AccessRule(bad, ("group:x",))


def test_ingest_group_flag_covers_files_no_rule_covers(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "i.sqlite"
    result = CliRunner().invoke(
        main, ["ingest", str(corpus / "public"), "--index", str(index), "--embedder", "hash",
               "--group", "sales", "--user", "dave", "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with open_store(index) as store:
        assert {d.readers for d in store.documents()} == {("group:sales", "user:dave")}


def test_cli_as_shows_what_a_user_may_see(index: dict[str, Any], tmp_path: Path) -> None:
    config = config_for(index, tmp_path)
    runner = CliRunner()
    query = f"{marker('hr', 1)} salary review"
    as_admin = runner.invoke(main, ["search", query, "--config", str(config), "--json"])
    as_bob = runner.invoke(
        main, ["search", query, "--config", str(config), "--json", "--as", "bob"]
    )
    assert "zqhr1x" in as_admin.output and as_bob.exit_code == 0
    assert "zqhr" not in as_bob.output and "hr/" not in as_bob.output
    asked = runner.invoke(main, ["ask", query, "--config", str(config), "--as", "bob"])
    assert asked.exit_code == 0 and "zqhr" not in asked.output.replace(query, "")
    unknown = runner.invoke(main, ["search", query, "--config", str(config), "--as", "mallory"])
    assert unknown.exit_code == 1 and "no user called 'mallory'" in unknown.output


def test_uploads_go_to_the_uploaders_folder_for_their_own_groups(index: dict[str, Any]) -> None:
    with TestClient(create_app(settings_for(index)), raise_server_exceptions=False) as client:
        note = ("note.md", b"# Note\n\nThe zqupload1x plan for hr.\n", "text/markdown")
        refused = client.post("/documents", files={"file": note}, params={"groups": ["hr"]},
                              headers=headers("bob"))  # fmt: skip
        assert refused.status_code == 403
        public = client.post("/documents", files={"file": note}, params={"everyone": "true"},
                             headers=headers("alice"))  # fmt: skip
        assert public.status_code == 403  # only an admin publishes to everyone
        made = client.post("/documents", files={"file": note}, params={"groups": ["hr"]},
                           headers=headers("alice"))  # fmt: skip
        assert made.status_code == 201, made.text
        doc = made.json()
        assert doc["name"] == "uploads/alice/note.md"
        bob_sees = client.get("/documents", headers=headers("bob")).json()["documents"]
        assert all("alice/" not in d["name"] for d in bob_sees)
        assert client.delete(f"/documents/{doc['id']}", headers=headers("bob")).status_code == 404
        hr_doc = next(
            d
            for d in client.get("/documents", headers=headers("alice")).json()["documents"]
            if d["name"] == "hr/hr-0.md"
        )
        forbidden = client.delete(f"/documents/{hr_doc['id']}", headers=headers("alice"))
        assert forbidden.status_code == 403
        assert client.delete(f"/documents/{doc['id']}", headers=headers("alice")).status_code == 204


def test_an_upload_can_neither_reveal_nor_shadow_an_ingested_name(
    index: dict[str, Any], tmp_path: Path
) -> None:
    """A user called like a top-level folder ("hr") uploads "hr-0.md": before, a 409 told
    them hr/hr-0.md exists though they may not read it, and an upload could take a name an
    admin later ingested, so answers cited the upload's text under the ingested name."""
    hr_key = "k-hr-user-6"
    hr_user = {"name": "hr", "key_sha256": hashlib.sha256(hr_key.encode()).hexdigest()}
    settings = settings_for(index, users=[*users(), hr_user])
    as_hr = {"Authorization": f"Bearer {hr_key}"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        fake = ("hr-0.md", b"# hr memo 0\n\nThe zqfakex rule says salaries double.\n")
        made = client.post("/documents", files={"file": fake}, headers=as_hr)
        assert made.status_code == 201, made.text
        assert made.json()["name"] == "uploads/hr/hr-0.md"
        again = client.post("/documents", files={"file": fake}, headers=as_hr)
        assert again.status_code == 409 and "uploads/hr/hr-0.md" in again.text
        # The ingested document is still the one its name opens and cites, for alice.
        shown = client.get("/content/hr/hr-0.md", headers=headers("alice"))
        assert shown.status_code == 200 and "zqfakex" not in shown.text
        question = f"{marker('hr', 0)} salary review"
        answer = client.post(
            "/chat", json={"messages": [{"role": "user", "content": question}]},
            headers=headers("alice"),
        ).json()  # fmt: skip
        assert "hr/hr-0.md" in answer["context"]["data_points"]["citations"]
        assert "zqfakex" not in answer["output_text"]
        own = client.get("/documents", headers=as_hr).json()["documents"]
        assert [d["name"] for d in own if d["name"].startswith("uploads/")] == [
            "uploads/hr/hr-0.md"
        ]
        assert client.delete(f"/documents/{made.json()['id']}", headers=as_hr).status_code == 204


def test_a_name_is_one_documents_across_folders_and_uploads_have_their_own(
    index: dict[str, Any], corpus: Path, tmp_path: Path
) -> None:
    """A second folder holding a name the first already has is refused for that file (a
    citation must open one document), and no folder may put files under uploads/."""
    other = tmp_path / "other"
    (other / "hr").mkdir(parents=True)
    (other / "uploads" / "alice").mkdir(parents=True)
    builders.text(other / "hr" / "hr-0.md", "# Planted\n\nzqplantedx says salaries double.\n")
    builders.text(other / "uploads" / "alice" / "note.md", "# Note\n\nzqplantedx again.\n")
    builders.text(other / "fresh.md", "# Fresh\n\nA new name, zqfreshx.\n")
    settings = settings_for(index)
    with assemble.open_engine(settings) as engine:
        report = Ingester(engine, CountingEmbedder(), assemble.ingest_options(settings)).run(other)
        errors = {r.name: r.error for r in report.results if r.error}
        assert "another index" in str(errors["hr/hr-0.md"])
        assert "reserved" in str(report).replace("\n", " ")
        # The name stays the first folder's (or source's) document's.
        held = engine.document_named("hr/hr-0.md")
        assert held is not None and held.root != str(other.resolve())
        assert "zqplantedx" not in " ".join(c.text for c in engine.chunks(held.id))
        assert engine.document_named("fresh.md") is not None
        engine.remove_document(engine.document_named("fresh.md").id)  # type: ignore[union-attr]


def test_signing_in_keeps_the_principal_in_the_session(index: dict[str, Any]) -> None:
    with TestClient(create_app(settings_for(index)), raise_server_exceptions=False) as client:
        signed = client.post("/auth/session", json={"key": KEYS["carol"]})
        assert signed.json()["user"] == "carol" and signed.json()["groups"] == ["legal", "sales"]
        listed = client.get("/documents").json()["documents"]  # the cookie, no key
        assert {d["name"].split("/")[0] for d in listed} == {"legal", "sales", "public"}
        assert client.get("/auth/session").json()["user"] == "carol"


def test_the_audit_log_records_who_asked_what_and_what_was_cited(
    index: dict[str, Any], tmp_path: Path
) -> None:
    log = tmp_path / "audit" / "log.jsonl"
    app = create_app(settings_for(index, audit_log=log))
    with TestClient(app, raise_server_exceptions=False) as client:
        question = f"{marker('hr', 2)} salary review"
        every_route(client, "alice", question)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    azure = "/openai/deployments/{deployment}/chat/completions"
    routes = ["/chat", "/chat/stream", *["/v1/chat/completions", azure] * 2]
    assert [r["route"] for r in records] == [route for route in routes for _ in range(2)]
    assert [r["event"] for r in records] == ["retrieved", "answered"] * 6
    assert all(r["user"] == "alice" and r["groups"] == ["hr"] for r in records)
    retrieved, answered = records[::2], records[1::2]
    assert all(r["question"] == question and "hr/hr-2.md" in r["passages"] for r in retrieved)
    assert all("hr/hr-2.md" in r["citations"] for r in answered)
    assert [r["request"] for r in retrieved] == [r["request"] for r in answered]
    assert len({r["request"] for r in retrieved}) == 6


def test_a_stream_cut_after_its_passages_is_audited(index: dict[str, Any], tmp_path: Path) -> None:
    """The passages are the first line of /chat/stream: a client that reads it and hangs up
    has read documents, and the log says so."""
    log = tmp_path / "audit.jsonl"
    body = {"messages": [{"role": "user", "content": f"{marker('hr', 1)} salary review"}]}
    for url, _ in served(create_app(settings_for(index, audit_log=log))):
        for _ in range(3):
            with httpx.stream(
                "POST", f"{url}/chat/stream", json=body, headers=headers("alice"), timeout=60
            ) as response:
                first = next(response.iter_lines())
                assert "hr/hr-1.md" in first  # the passages, then the client is gone
    records = [json.loads(line) for line in log.read_text().splitlines()]
    retrieved = [r for r in records if r["event"] == "retrieved"]
    assert len(retrieved) == 3
    assert all(r["user"] == "alice" and "hr/hr-1.md" in r["passages"] for r in retrieved)


def test_an_index_from_before_readers_stays_readable_by_everyone(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(migrations.SCHEMA)
        conn.execute("PRAGMA user_version = 8")
        conn.execute(
            "INSERT INTO documents (id, path, root, name, format, content_hash, size, mtime_ns, "
            "chunk_count, ingested_at) VALUES (1, '/d/a.md', '/d', 'a.md', 'markdown', 'h', 1, "
            "1, 0, '')"
        )
    with open_store(path) as store:
        (doc,) = store.documents()
    assert doc.readers == ("*",)


def test_ingest_options_carry_the_rules(tmp_path: Path) -> None:
    options = assemble.ingest_options(settings_for(sqlite_at(tmp_path / "i.sqlite")))
    assert [r.pattern for r in options.rules] == ["hr/**", "legal/**", "sales/**"]
    assert ingest_options().rules == ()


@pytest.mark.slow
def test_mcp_as_a_user_searches_and_answers_within_their_rights(
    index: dict[str, Any], tmp_path: Path
) -> None:
    import os
    import sys

    import anyio
    from mcp.client.client import Client
    from mcp.client.stdio import StdioServerParameters

    config = config_for(index, tmp_path)
    query = f"{marker('hr', 0)} salary review"

    def run_as(user: str) -> str:
        as_user = ["--as", user] if user else []
        server = StdioServerParameters(
            command=sys.executable,
            args=["-m", "yomitoki", "mcp", "--config", str(config), *as_user],
            env=dict(os.environ),
        )

        async def session() -> str:
            async with Client(server, read_timeout_seconds=120) as client:
                found = await client.call_tool("search", {"query": query, "top": 5})
                answered = await client.call_tool("ask", {"question": query})
                return found.content[0].text + answered.content[0].text

        return anyio.run(session).replace(query, "<question>")

    assert "zqhr" not in run_as("bob") and "hr/" not in run_as("bob")
    assert "hr/hr-0.md" in run_as("alice")
    config.write_text('mcp_user = "bob"\n' + config.read_text())  # the configured principal
    assert "hr/" not in run_as("")


def _scrubbed(text: str) -> str:
    """``text`` without the clock's readings (timings, creation times, completion ids)."""
    return re.sub(r'"(\w*_ms|ms|seconds|elapsed|created|id)": ?"?[\w.:-]*"?', "<clock>", text)


def _difference(one: str, other: str) -> str:
    start = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), 0)
    return f"{one[max(0, start - 200) : start + 80]!r}\n{other[max(0, start - 200) : start + 80]!r}"


def _everything_seen(
    client: TestClient, where: dict[str, Any], config: Path, user: str, question: str
) -> list[str]:
    """What ``user`` is shown for ``question``: every route's answer with its thought process
    (scores, signals, the decision), the CLI's search as JSON and MCP's search scores."""
    body = {
        "messages": [{"role": "user", "content": question}],
        "context": {"overrides": {"retrieval_mode": "hybrid"}},
    }
    seen = []
    for route in ("/chat", "/chat/stream"):
        response = client.post(route, json=body, headers=headers(user))
        assert response.status_code == 200, response.text
        seen.append(response.text)
    completion = client.post("/v1/chat/completions", json=body, headers=headers(user))
    seen.append(completion.text)
    if user == "anonymous":  # a key of no one: only HTTP knows it
        return seen
    for mode in ("hybrid", "keyword"):
        searched = CliRunner().invoke(
            main,
            ["search", question, "--config", str(config), "--json", "--as", user, "--mode", mode],
        )
        assert searched.exit_code == 0, searched.output
        seen.append(searched.output)
    settings = settings_for(where)
    readers = assemble.principal(settings, user).readers()
    answerer = assemble.open_answerer(settings, filters=Filters(readers=readers))
    try:
        server = build_mcp(answerer, settings.top)
        for tool, arguments in (("search", {"query": question, "top": 10}), ("ask", {})):
            arguments = arguments or {"question": question}
            result = anyio.run(server.call_tool, tool, arguments)
            seen.append(result.model_dump_json())
    finally:
        answerer.retriever.close()
    return seen


@pytest.fixture(scope="module")
def twin(
    request: pytest.FixtureRequest,
    index: dict[str, Any],
    corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The same corpus in the same engine, but for hr's documents: their marker words are
    other words, and they are longer (more text, other lengths and frequencies)."""
    root = tmp_path_factory.mktemp("twin")
    shutil.copytree(corpus, root, dirs_exist_ok=True)
    for path in (root / "hr").iterdir():
        text = path.read_text().replace("zqhr", "zqother")
        path.write_text(text + "\nSalary review notes: " + "budget review salary " * 40 + "\n")
    return ingested(kind_of(index), root, request, tmp_path_factory.mktemp("twin-idx"))


@pytest.mark.parametrize("user", ["bob", "anonymous"])
def test_what_only_hidden_documents_hold_moves_nothing_a_reader_is_shown(
    index: dict[str, Any], twin: dict[str, Any], tmp_path: Path, user: str
) -> None:
    """Bob may not read hr. Over two indexes that differ only in hr's documents (a word only
    hr holds in one is nowhere in the other; hr's texts are longer in the other), bob's
    scores, signals, answers and decisions are the same, on every route and engine."""
    (tmp_path / "twin").mkdir()
    config, twin_config = config_for(index, tmp_path), config_for(twin, tmp_path / "twin")
    with (
        TestClient(create_app(settings_for(index)), raise_server_exceptions=False) as client,
        TestClient(create_app(settings_for(twin)), raise_server_exceptions=False) as other,
    ):
        for question in (f"salary review {marker('hr', 2)}", "budget review salary staff"):
            shown = _everything_seen(client, index, config, user, question)
            unchanged = _everything_seen(other, twin, twin_config, user, question)
            for one, two in zip(shown, unchanged, strict=True):
                one, two = _scrubbed(one), _scrubbed(two)
                assert one == two, _difference(one, two)
            # ...while alice, who may read hr, sees the difference.
            assert _everything_seen(client, index, config, "alice", question) != (
                _everything_seen(other, twin, twin_config, "alice", question)
            )
