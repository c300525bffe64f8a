"""The backend registry: embedders, LLMs and rerankers found through entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from yomitoki.backends.base import LLM, Embedder, EmbedderInputs, Reranker, RerankerInputs
from yomitoki.errors import ConfigError
from yomitoki.settings.tables import LLMConfig

EMBEDDER_GROUP = "yomitoki.embedders"


def available_embedders() -> list[str]:
    """Names of the embedders registered under the ``yomitoki.embedders`` entry point group."""
    return sorted(ep.name for ep in entry_points(group=EMBEDDER_GROUP))


def _backend(group: str, name: str, base: type, kind: str) -> Any:
    """The class registered as ``name`` in the entry-point ``group``, checked to be a ``base``."""
    matches = [ep for ep in entry_points(group=group) if ep.name == name]
    if not matches:
        known = ", ".join(sorted(ep.name for ep in entry_points(group=group)))
        raise ConfigError(f"unknown {kind} '{name}' (available: {known or 'none'})")
    cls = matches[0].load()
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ConfigError(f"entry point '{name}' does not name a {base.__name__} class")
    return cls


def get_embedder(name: str, inputs: EmbedderInputs) -> Embedder:
    """The embedder registered as ``name``, built from ``inputs``."""
    embedder: Embedder = _backend(EMBEDDER_GROUP, name, Embedder, "embedder").configured(inputs)
    return embedder


def embedder_for_model(model_id: str, inputs: EmbedderInputs) -> Embedder:
    """The registered embedder whose vectors are ``model_id`` (what an index is bound to)."""
    for ep in entry_points(group=EMBEDDER_GROUP):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, Embedder) and cls.makes(model_id):
            embedder: Embedder = cls.configured(inputs)
            if embedder.model_id != model_id:
                raise ConfigError(
                    f"this index holds '{model_id}' vectors, but the settings name "
                    f"'{embedder.model_id}'; set the embedding model the index was built with"
                )
            return embedder
    raise ConfigError(f"no installed embedder makes '{model_id}' vectors, which this index holds")


LLM_GROUP = "yomitoki.llms"


def get_llm(config: LLMConfig) -> LLM:
    """The chat client for one row of the ``llms`` setting, through its backend entry point."""
    llm: LLM = _backend(LLM_GROUP, config.backend, LLM, "llm backend")(config)  # from its row
    return llm


RERANKER_GROUP = "yomitoki.rerankers"


def get_reranker(name: str, inputs: RerankerInputs) -> Reranker:
    """The reranker registered as ``name`` under ``yomitoki.rerankers``, built from
    ``inputs`` (the built-in ones are registered there too)."""
    cls = _backend(RERANKER_GROUP, name, Reranker, "reranker")
    reranker: Reranker = cls.configured(inputs)
    return reranker
