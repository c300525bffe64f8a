"""The HTTP API: in-process through httpx's ASGI transport, and over a real socket (uvicorn)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import CountingEmbedder
from tests.llm_server import Reply, running
from tests.options import ingest_options, open_store
from tests.servers import ask, served, settings_for
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server import openai_shapes
from yomitoki.server.app import create_app
from yomitoki.settings.tables import LLMConfig
from yomitoki.text.citations import strip

# The hash embedder's cosines mean nothing: switch the similarity floor off.
EVALUATOR_OVERRIDES = {  # ai-rag-chat-evaluator's default request overrides
    "top": 3, "temperature": 0.3, "minimum_reranker_score": 0, "minimum_search_score": 0,
    "retrieval_mode": "hybrid", "semantic_ranker": True, "semantic_captions": False,
    "suggest_followup_questions": False, "use_oid_security_filter": False,
    "use_groups_security_filter": False, "vector_fields": ["embedding"], "use_gpt4v": False,
    "gpt4v_input": "textAndImages", "seed": 1,
}  # fmt: skip


@pytest.fixture
def index(corpus: Path, tmp_path: Path) -> Path:
    path = tmp_path / "idx" / "index.sqlite"
    with open_store(path) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    return path


@pytest.fixture
def client(index: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(index)), raise_server_exceptions=False) as c:
        yield c


def test_chat_answers_in_the_demo_protocol(client: TestClient) -> None:
    response = ask(client, "What is the nightly hotel limit?", **EVALUATOR_OVERRIDES)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["output_text"].startswith(
        "Travel Policy: The nightly hotel limit is 150 dollars [policy.docx]."
    )
    assert data["session_state"] == "s-1"
    points = data["context"]["data_points"]
    assert "policy.docx" in points["citations"]
    assert any(t.startswith("policy.docx: ") and "150 dollars" in t for t in points["text"])
    titles = [step["title"] for step in data["context"]["thoughts"]]
    assert titles == ["Search query", "Search results", "Options without effect", "Answer checks"]
    checks = data["context"]["thoughts"][-1]["description"]
    assert {"probability", "threshold", "coverage", "missing"} <= set(checks["answerability"])
    # The evaluator's Azure-only overrides, and temperature and seed the offline answerer
    # cannot use, are named rather than silently dropped.
    (ignored,) = [s for s in data["context"]["thoughts"] if s["title"] == "Options without effect"]
    ignored_names = set(ignored["description"])
    assert {"semantic_ranker", "temperature", "seed", "vector_fields"} <= ignored_names
    assert "top" not in ignored["description"] and "retrieval_mode" not in ignored["description"]
    assert data["context"]["followup_questions"] == []


def test_overrides_select_mode_top_and_category(client: TestClient) -> None:
    data = ask(client, "budget", retrieval_mode="text", top=1).json()
    (results,) = [s for s in data["context"]["thoughts"] if s["title"] == "Search results"]
    assert len(results["description"]) == 1
    assert set(results["description"][0]["legs"]) == {"keyword"}
    none = ask(client, "budget", include_category="nonexistent").json()
    assert none["context"]["data_points"]["citations"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": [{"role": "user", "content": "x"}],
          "context": {"overrides": {"bogus_knob": 1}}}, "bogus_knob"),
        ({"messages": [{"role": "user", "content": "x"}],
          "context": {"overrides": {"top": 0}}}, "top"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "last message must be the user"),
        ({"messages": [{"role": "user", "content": "   "}]}, "the question is empty"),
        ({"question": "x"}, "messages"),
    ],
)  # fmt: skip
def test_bad_requests_get_400_with_a_stable_shape(
    client: TestClient, body: dict[str, Any], message: str
) -> None:
    response = client.post("/chat", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and message in error["message"]


def test_unknown_routes_and_methods_are_json_errors(client: TestClient) -> None:
    assert client.get("/nope").json()["error"]["code"] == "not_found"
    assert client.get("/chat").status_code == 405


def test_models_config_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/v1/models").json()["data"][0]["id"] == "yomitoki"
    config = client.get("/config").json()
    assert config["answerer"] == "offline" and config["retrieval_mode"] == "hybrid"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/chat", "/chat/stream", "/v1/chat/completions", "/documents"} <= set(paths)


def test_content_serves_indexed_files_only(client: TestClient, corpus: Path) -> None:
    response = client.get("/content/manual.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert client.get("/content/sub/memo.txt").status_code == 200
    secret = corpus.parent / "secret.txt"
    secret.write_text("top secret")
    (corpus / "not-indexed.txt").write_text("never ingested")
    (corpus / "link.txt").symlink_to(secret)
    for path in ["../secret.txt", "%2e%2e/secret.txt", "..%2Fsecret.txt", "/etc/passwd",
                 "%2Fetc%2Fpasswd", "not-indexed.txt", "link.txt", "sub/../../secret.txt",
                 str(secret)]:  # fmt: skip
        response = client.get(f"/content/{path}")
        assert response.status_code == 404, path
        assert b"top secret" not in response.content


def test_a_cited_page_is_drawn_with_its_sentence_highlighted(client: TestClient) -> None:
    found = client.get(
        "/page/manual.pdf",
        params={"page": 3, "highlight": "保証期間は二年間です [manual.pdf#page=3]。"},
    )
    assert found.status_code == 200 and found.content.startswith(b"\x89PNG")
    assert found.headers["content-type"] == "image/png" and found.headers["x-highlight"] == "found"
    assert "sandbox" in found.headers["content-security-policy"]
    left, top, right, bottom = map(float, found.headers["x-highlight-box"].split(","))
    assert 0 < left < right < 1 and 0 < top < bottom < 0.15  # the page's first line
    absent = client.get("/page/manual.pdf", params={"page": 3, "highlight": "A jet to Mars."})
    assert absent.status_code == 200 and absent.headers["x-highlight"] == "none"
    assert "x-highlight-box" not in absent.headers
    assert client.get("/page/manual.pdf", params={"page": 9}).status_code == 404
    assert client.get("/page/notes.md").status_code == 404  # no pages to draw
    for hostile in ["\x00\x1b[2J\u202e", "[[[]]]【】「」", "../../etc/passwd", "𠮷" * 1000, " "]:
        drawn = client.get("/page/manual.pdf", params={"page": 3, "highlight": hostile})
        assert drawn.status_code == 200 and drawn.headers["x-highlight"] == "none", hostile
    too_long = client.get("/page/manual.pdf", params={"page": 1, "highlight": "x" * 2001})
    assert too_long.status_code == 400  # a request the API refuses as invalid
    for path in ["../secret.txt", "%2e%2e/manual.pdf", "not-indexed.pdf", "/etc/passwd"]:
        assert client.get(f"/page/{path}").status_code == 404, path


def test_upload_search_and_delete(client: TestClient) -> None:
    text = "The cafeteria serves ramen every Friday at noon."
    response = client.post("/documents", files={"file": ("menu.txt", text.encode(), "text/plain")})
    assert response.status_code == 201, response.text
    doc = response.json()
    name = "uploads/menu.txt"
    assert doc["name"] == name and doc["chunks"] == 1 and doc["status"] == "indexed"
    assert name in {d["name"] for d in client.get("/documents").json()["documents"]}
    answer = ask(client, "When does the cafeteria serve ramen?").json()
    assert f"[{name}]" in answer["output_text"]
    assert client.get(f"/content/{name}").text == text
    assert client.delete(f"/documents/{doc['id']}").status_code == 204
    assert name not in {d["name"] for d in client.get("/documents").json()["documents"]}
    assert "menu.txt" not in ask(client, "When does the cafeteria serve ramen?").text
    assert client.delete(f"/documents/{doc['id']}").status_code == 404


def test_rejected_uploads(index: Path, tmp_path: Path) -> None:
    settings = settings_for(index, upload_max_mb=0.001, upload_dir=tmp_path / "up")
    with TestClient(create_app(settings)) as client:
        exe = client.post("/documents", files={"file": ("tool.exe", b"MZ", "application/x")})
        assert exe.status_code == 415 and ".exe" in exe.json()["error"]["message"]
        big = client.post("/documents", files={"file": ("big.txt", b"x" * 5000, "text/plain")})
        assert big.status_code == 413
        broken = client.post("/documents", files={"file": ("bad.pdf", b"%PDF-1.4 junk", "x")})
        assert broken.status_code == 422
        assert broken.json()["error"]["message"].startswith("uploads/bad.pdf: ")
        assert not (tmp_path / "up" / "bad.pdf").exists()
        assert "bad.pdf" not in client.get("/documents").text


def test_api_keys_guard_every_endpoint_but_health(index: Path) -> None:
    app = create_app(settings_for(index, api_keys=["k-123", "k-456"]))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200  # the UI's page holds no data
        for method, path in [("get", "/documents"), ("get", "/config"), ("get", "/v1/models"),
                             ("get", "/content/manual.pdf"), ("get", "/page/manual.pdf"),
                             ("post", "/chat")]:  # fmt: skip
            response = getattr(client, method)(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "unauthorized"
        assert client.get("/documents", headers={"Authorization": "Bearer k-456"}).is_success
        assert client.get("/documents", headers={"X-API-Key": "k-123"}).is_success
        assert client.get("/documents", headers={"X-API-Key": "k-12"}).status_code == 401


def test_internal_errors_never_leak_a_traceback(index: Path) -> None:
    app = create_app(settings_for(index))
    # Every search now fails inside SQLite.
    app.state.service.answerer.retriever.searcher.engine.close()
    with TestClient(app, raise_server_exceptions=False) as client:
        response = ask(client, "hotel limit")
        assert response.status_code == 500
        assert response.json() == {"error": {"code": "internal_error", "message": "internal error"}}
        body = {"messages": [{"role": "user", "content": "hotel limit"}]}
        lines = client.post("/chat/stream", json=body).text.splitlines()
        assert json.loads(lines[-1]) == {
            "error": "internal error: the answer could not be completed"
        }
        assert "Traceback" not in response.text + "".join(lines)


# -- over a real socket ------------------------------------------------------------------------


@pytest.fixture
def live(index: Path) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings_for(index))
    yield from served(app)


def test_chat_stream_is_ndjson_context_first(live: tuple[str, FastAPI]) -> None:
    url, _ = live
    body = {"messages": [{"role": "user", "content": "What is the nightly hotel limit?"}]}
    with httpx.stream("POST", f"{url}/chat/stream", json=body, timeout=30) as response:
        assert response.headers["content-type"] == "application/json-lines"
        events = [json.loads(line) for line in response.iter_lines() if line]
    assert events[0]["type"] == "response.context"
    assert "policy.docx" in events[0]["context"]["data_points"]["citations"]
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert "".join(deltas) == events[-1]["output_text"]
    assert events[-1]["type"] == "response.completed"
    assert events[-1]["context"]["citations"] == ["policy.docx"]


def test_chat_stream_reports_llm_failure_as_last_line(index: Path) -> None:
    with running() as llm_server:
        llm_server.default = Reply(status=401)
        row = LLMConfig(model="m", base_url=f"{llm_server.url}/v1", max_retries=0)
        settings = settings_for(index, llms={"bad": row}, llm="bad")
        for url, _ in served(create_app(settings)):
            body = {"messages": [{"role": "user", "content": "hotel limit?"}]}
            lines = httpx.post(f"{url}/chat/stream", json=body, timeout=30).text.splitlines()
            assert json.loads(lines[0])["type"] == "response.context"
            assert "refused the key (401)" in json.loads(lines[-1])["error"]
            response = httpx.post(f"{url}/chat", json=body, timeout=30)
            assert response.status_code == 502
            assert response.json()["error"]["code"] == "llm_error"


def test_openai_sdk_talks_to_the_compatible_endpoint(live: tuple[str, FastAPI]) -> None:
    url, _ = live
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["yomitoki"]
    question = [{"role": "user", "content": "What is the nightly hotel limit?"}]
    whole = client.chat.completions.create(model="yomitoki", messages=question)  # type: ignore[arg-type]
    text = whole.choices[0].message.content or ""
    assert text.startswith("Travel Policy: The nightly hotel limit is 150 dollars [policy.docx].")
    stream = client.chat.completions.create(model="yomitoki", messages=question, stream=True)  # type: ignore[arg-type]
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(pieces) == text and len([p for p in pieces if p]) >= 1
    # Usage is what the offline answerer read (question and passages) and wrote, counted in
    # the bundled model's tokens: more read than the question alone, the answer's own count.
    assert whole.usage is not None
    assert whole.usage.completion_tokens == openai_shapes.tokens(text) > 5
    assert whole.usage.prompt_tokens > openai_shapes.tokens(question[0]["content"]) > 5
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens
    # Streamed, the usage comes as the last chunk when asked for, as OpenAI sends it.
    chunks = list(
        client.chat.completions.create(
            model="yomitoki", messages=question, stream=True,  # type: ignore[arg-type]
            stream_options={"include_usage": True},
        )
    )  # fmt: skip
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == whole.usage.total_tokens
    assert all(c.usage is None for c in chunks[:-1])
    # A model this server does not serve is refused as OpenAI refuses it.
    with pytest.raises(openai.NotFoundError) as refused:
        client.chat.completions.create(model="gpt-4o", messages=question)  # type: ignore[arg-type]
    assert refused.value.code == "model_not_found"
    assert "gpt-4o" in str(refused.value.message)


def test_llm_answers_stream_through_the_api(index: Path, tmp_path: Path) -> None:
    with running() as llm_server:
        llm_server.enqueue(Reply(["The limit is 150 dollars [policy.", "docx][nope.pdf#page=1]."]))
        row = LLMConfig(model="m", base_url=f"{llm_server.url}/v1", max_retries=0)
        settings = settings_for(index, llms={"local": row}, llm="local")
        for url, _ in served(create_app(settings)):
            body = {"messages": [{"role": "user", "content": "hotel limit?"}]}
            reply = httpx.post(f"{url}/chat/stream", json=body, timeout=30)
            events = [json.loads(line) for line in reply.text.splitlines()]
            final = events[-1]
            assert final["output_text"] == "The limit is 150 dollars [policy.docx]."
            (checks,) = [t for t in final["context"]["thoughts"] if t["title"] == "Answer checks"]
            assert checks["description"]["removed_citations"] == ["nope.pdf#page=1"]
            (prompt,) = [t for t in final["context"]["thoughts"] if t["title"] == "Prompt"]
            assert prompt["description"][0]["role"] == "system"


@pytest.mark.slow
def test_serve_command_runs_the_app(index: Path) -> None:
    """``yomitoki serve`` itself, as a user starts it."""
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YOMITOKI_MIN_ANSWERABILITY": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "yomitoki", "serve", "--index", str(index), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").is_success:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "yomitoki serve did not start"
            time.sleep(0.1)
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_the_viewer_gets_passages_pages_and_cited_sentences_as_data(client: TestClient) -> None:
    """What the UI shows comes from the server as data, not parsed back out of strings: the
    passages as objects, which citations /page can draw (and which page), and the sentence
    of the answer each citation stands for (the one to highlight)."""
    data = ask(client, "保証期間は何年ですか？").json()
    points = data["context"]["data_points"]
    assert {(p["citation"], p["text"]) for p in points["passages"]} == {
        tuple(line.split(": ", 1)) for line in points["text"]
    }
    for citation in points["citations"]:
        drawn = points["pages"].get(citation)
        if citation.startswith("manual.pdf#page="):
            assert drawn == {"page": int(citation.rsplit("=", 1)[1]), "format": "pdf"}
        else:
            assert drawn is None, citation  # Markdown, Word...: no page to draw
    sentences = data["context"]["cited_sentences"]
    assert set(sentences) == set(data["context"]["citations"]) and sentences
    for citation, sentence in sentences.items():
        assert sentence and "[" not in sentence
        assert sentence in data["output_text"].replace(f" [{citation}]", "").replace(
            f"[{citation}]", ""
        )
    # The answer as runs and marks: the runs are the text without its brackets, each mark
    # names returned citations and the sentence of the answer it closes.
    parts = data["context"]["answer_parts"]
    marks = [p for p in parts if "citations" in p]
    assert marks and {c for m in marks for c in m["citations"]} == set(sentences)
    for mark in marks:
        assert mark["sentence"] in "".join(p.get("text", "") for p in parts)
    assert "".join(p.get("text", "") for p in parts).replace(" ", "") == strip(
        data["output_text"]
    ).replace(" ", "")
    codes = [step["code"] for step in data["context"]["thoughts"]]
    assert codes[:2] == ["query", "results"] and codes[-1] == "checks"
    config = client.get("/config").json()
    assert config["retrieval_mode_override"] == {"keyword": "text", "vector": "vectors"}.get(
        config["retrieval_mode"], config["retrieval_mode"]
    )


def test_serve_says_the_port_is_taken_before_it_says_it_serves(index: Path) -> None:
    """Before, it printed "serving ... on http://127.0.0.1:PORT/" and then died with Errno 98."""
    import socket

    from click.testing import CliRunner

    from yomitoki.cli import main

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = CliRunner(env={"YOMITOKI_EMBEDDER": "hash"}).invoke(
            main, ["serve", "--index", str(index), "--port", str(port)]
        )
    assert done.exit_code == 2, done.output
    assert f"127.0.0.1:{port} is in use; choose another with --port" in done.output
    assert "serving" not in done.output
