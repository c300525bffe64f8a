"""The one LLM client against a real local server speaking the Chat Completions protocol."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest

from tests.llm_server import ChatServer, Reply, running
from yomitoki.backends.openai_chat import OpenAIChat
from yomitoki.backends.registry import get_llm
from yomitoki.errors import ConfigError, LLMError, MissingDependencyError
from yomitoki.settings.tables import LLMConfig
from yomitoki.types import Message, Usage

MESSAGES = [Message("system", "Answer briefly."), Message("user", "What is the limit?")]


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running() as started:
        yield started


def compatible(server: ChatServer, **extra: object) -> OpenAIChat:
    fields: dict[str, object] = {
        "model": "llama3",
        "base_url": f"{server.url}/v1",
        "max_retries": 2,
    }
    config = LLMConfig.model_validate(fields | extra)
    llm = get_llm(config)
    assert isinstance(llm, OpenAIChat)
    return llm


def test_streams_deltas_then_usage(server: ChatServer) -> None:
    server.enqueue(Reply(["The limit ", "is 150 ", "dollars."]))
    pieces = list(compatible(server).stream(MESSAGES, 0.2, 300))
    assert pieces[:3] == ["The limit ", "is 150 ", "dollars."]
    assert pieces[3] == Usage(prompt_tokens=6, completion_tokens=5)
    (request,) = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "llama3" and request.body["stream"] is True
    assert request.body["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is the limit?"},
    ]
    assert request.body["temperature"] == 0.2 and request.body["max_tokens"] == 300
    # A local server without a key still gets a bearer header (the SDK insists on one).
    assert request.headers["authorization"] == "Bearer unused"


def test_complete_joins_the_stream(server: ChatServer) -> None:
    server.enqueue(Reply(["a", "b"]))
    assert compatible(server).complete(MESSAGES) == ("ab", Usage(6, 2))


def test_key_comes_from_the_named_environment_variable(
    server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-test-123")
    server.enqueue(Reply(["ok"]))
    compatible(server, api_key_env="MY_LLM_KEY").complete(MESSAGES)
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-123"


def test_azure_row_uses_deployment_path_version_and_api_key(server: ChatServer) -> None:
    config = LLMConfig(
        model="gpt-mini-deploy", api="azure", base_url=server.url,
        api_version="2024-10-21", api_key="azure-key",  # type: ignore[arg-type]
    )  # fmt: skip
    server.enqueue(Reply(["hello"]))
    assert get_llm(config).complete(MESSAGES)[0] == "hello"
    (request,) = server.requests
    assert request.path == "/openai/deployments/gpt-mini-deploy/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"]
    assert request.headers["api-key"] == "azure-key"
    # Azure deployments take max_tokens; OpenAI's own API takes max_completion_tokens.
    assert "max_tokens" in request.body


def test_retries_rate_limits_and_server_errors_then_succeeds(server: ChatServer) -> None:
    server.enqueue(Reply(status=429, error="rate_limit_exceeded"), Reply(status=503), Reply(["ok"]))
    assert compatible(server).complete(MESSAGES)[0] == "ok"
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "refused the key (401)"),
        (404, "model or URL 'llama3' not found (404)"),
        (429, "rate limiting (429) after 2 retries"),
        (500, "failed with HTTP 500"),
    ],
)
def test_errors_say_what_to_fix(server: ChatServer, status: int, message: str) -> None:
    server.default = Reply(status=status)
    with pytest.raises(LLMError, match=re.escape(message)):
        compatible(server).complete(MESSAGES)
    # 401 and 404 are not retried; 429 and 5xx are, twice.
    assert len(server.requests) == (1 if status in (401, 404) else 3)


def test_unreachable_server_is_reported() -> None:
    with running() as server:
        url = server.url
    llm = get_llm(LLMConfig(model="m", base_url=f"{url}/v1", max_retries=0))
    with pytest.raises(LLMError, match="cannot reach"):
        llm.complete(MESSAGES)


def test_timeout_is_reported(server: ChatServer) -> None:
    server.enqueue(Reply(["late"], delay=1.0))
    with pytest.raises(LLMError, match=r"did not answer within 0\.2 s"):
        compatible(server, timeout=0.2, max_retries=0).complete(MESSAGES)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (LLMConfig(model="d", api="azure", base_url="https://x.openai.azure.com"), "api_version"),
        (LLMConfig(model="d", api="azure", base_url="https://x", api_version="v"), "api_key"),
        (LLMConfig(model="m", api_key_env="YOMITOKI_TEST_UNSET_KEY"), "is empty"),
    ],
)
def test_incomplete_rows_are_refused(config: LLMConfig, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        get_llm(config)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown llm backend 'nope'"):
        get_llm(LLMConfig(model="m", backend="nope"))


def test_entra_sign_in_without_azure_identity_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if it were not installed
    config = LLMConfig(
        model="d", api="azure", base_url="https://x.openai.azure.com", api_version="2024-10-21",
        entra=True,
    )  # fmt: skip
    with pytest.raises(MissingDependencyError, match="pip install azure-identity"):
        get_llm(config)
