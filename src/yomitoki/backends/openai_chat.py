"""One chat client for OpenAI, Azure OpenAI and OpenAI-compatible servers (official SDK)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from yomitoki.backends.base import LLM
from yomitoki.errors import ConfigError, LLMError, MissingDependencyError
from yomitoki.settings.tables import LLMConfig
from yomitoki.types import Message, Usage

_ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"


def _entra_token_provider() -> Callable[[], str]:
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise MissingDependencyError("azure-identity", "Entra ID sign-in to Azure OpenAI") from None
    provider: Callable[[], str] = get_bearer_token_provider(DefaultAzureCredential(), _ENTRA_SCOPE)
    return provider


def _key(config: LLMConfig) -> str | None:
    if config.api_key is not None:
        return config.api_key.get_secret_value()
    if config.api_key_env:
        value = os.environ.get(config.api_key_env)
        if not value:
            raise ConfigError(f"environment variable {config.api_key_env} (api_key_env) is empty")
        return value
    return None


def make_client(config: LLMConfig) -> openai.OpenAI:
    """The SDK client a row describes; retries with backoff are the SDK's own."""
    key = _key(config)
    common: dict[str, Any] = {"timeout": config.timeout, "max_retries": config.max_retries}
    if config.api == "azure":
        if not config.base_url or not config.api_version:
            raise ConfigError("an azure llm row needs base_url (the endpoint) and api_version")
        if config.entra:
            return openai.AzureOpenAI(
                azure_endpoint=config.base_url,
                api_version=config.api_version,
                azure_ad_token_provider=_entra_token_provider(),
                **common,
            )
        if key is None:
            raise ConfigError("an azure llm row needs api_key, api_key_env or entra = true")
        return openai.AzureOpenAI(
            azure_endpoint=config.base_url, api_version=config.api_version, api_key=key, **common
        )
    if key is None and config.base_url is None:
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigError("an openai llm row needs api_key or api_key_env (or base_url)")
    # Local servers (Ollama, llama.cpp, vLLM) take any key; the SDK insists on one.
    return openai.OpenAI(base_url=config.base_url, api_key=key or "unused", **common)


def _failure(config: LLMConfig, exc: openai.OpenAIError) -> LLMError:
    where = config.base_url or "api.openai.com"
    if isinstance(exc, openai.AuthenticationError):
        return LLMError(f"{where} refused the key (401): check api_key / api_key_env")
    if isinstance(exc, openai.PermissionDeniedError):
        return LLMError(f"{where} denied access (403): {exc.message}")
    if isinstance(exc, openai.NotFoundError):
        what = "deployment" if config.api == "azure" else "model or URL"
        return LLMError(f"{where}: {what} '{config.model}' not found (404)")
    if isinstance(exc, openai.RateLimitError):
        return LLMError(f"{where} is rate limiting (429) after {config.max_retries} retries")
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(f"{where} did not answer within {config.timeout:g} s")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(f"cannot reach {where}: is the server running?")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"{where} failed with HTTP {exc.status_code}: {exc.message}")
    return LLMError(f"{where}: {exc}")


def _param(message: Message) -> ChatCompletionMessageParam:
    return cast(ChatCompletionMessageParam, {"role": message.role, "content": message.content})


class OpenAIChat(LLM):
    """Chat Completions over the ``openai`` SDK, streaming, for any row of ``llms``."""

    def __init__(self, config: LLMConfig, client: openai.OpenAI | None = None) -> None:
        self.config = config
        self.client = client or make_client(config)
        self.name = f"{config.api}:{config.model}"
        # OpenAI's own newer models accept only max_completion_tokens; compatible servers
        # and older Azure deployments know max_tokens.
        self._limit = "max_completion_tokens" if config.base_url is None else "max_tokens"

    def stream(
        self, messages: Sequence[Message], temperature: float, max_tokens: int
    ) -> Iterator[str | Usage]:
        """Yield text deltas as the server sends them, then the usage it reports."""
        try:
            chunks = self.client.chat.completions.create(
                model=self.config.model,
                messages=[_param(m) for m in messages],
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
                extra_body={self._limit: max_tokens},
            )
            for chunk in chunks:
                if chunk.usage is not None:
                    yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
        except openai.OpenAIError as exc:
            raise _failure(self.config, exc) from None
