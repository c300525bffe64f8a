"""Backends found through entry points; the core never imports one directly."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from yomitoki.backends.base import LLM, Embedder, Reranker
from yomitoki.errors import ConfigError
from yomitoki.settings import LLMConfig

EMBEDDER_GROUP = "yomitoki.embedders"


def available_embedders() -> list[str]:
    """Names of the embedders registered under the ``yomitoki.embedders`` entry point group."""
    return sorted(ep.name for ep in entry_points(group=EMBEDDER_GROUP))


def get_embedder(name: str) -> Embedder:
    """Instantiate the embedder registered as ``name``."""
    matches = [ep for ep in entry_points(group=EMBEDDER_GROUP) if ep.name == name]
    if not matches:
        known = ", ".join(available_embedders()) or "none (is yomitoki installed?)"
        raise ConfigError(f"unknown embedder '{name}' (available: {known})")
    cls = matches[0].load()
    if not (isinstance(cls, type) and issubclass(cls, Embedder)):
        raise ConfigError(f"entry point '{name}' does not name an Embedder class")
    return cls()


def embedder_for_model(model_id: str) -> Embedder:
    """The registered embedder whose vectors are ``model_id`` (what an index is bound to)."""
    for ep in entry_points(group=EMBEDDER_GROUP):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, Embedder) and cls.model_id == model_id:
            return cls()
    raise ConfigError(f"no installed embedder makes '{model_id}' vectors, which this index holds")


LLM_GROUP = "yomitoki.llms"


def get_llm(config: LLMConfig) -> LLM:
    """The chat client for one row of the ``llms`` setting, through its backend entry point."""
    matches = [ep for ep in entry_points(group=LLM_GROUP) if ep.name == config.backend]
    if not matches:
        known = ", ".join(sorted(ep.name for ep in entry_points(group=LLM_GROUP)))
        raise ConfigError(f"unknown llm backend '{config.backend}' (available: {known})")
    cls = matches[0].load()
    if not (isinstance(cls, type) and issubclass(cls, LLM)):
        raise ConfigError(f"entry point '{config.backend}' does not name an LLM class")
    make: Callable[[LLMConfig], LLM] = cls  # a backend is built from its row
    return make(config)


RERANKER_GROUP = "yomitoki.rerankers"


def get_reranker(name: str) -> Reranker:
    """Instantiate the reranker registered as ``name`` under ``yomitoki.rerankers``."""
    matches = [ep for ep in entry_points(group=RERANKER_GROUP) if ep.name == name]
    if not matches:
        known = ", ".join(sorted(ep.name for ep in entry_points(group=RERANKER_GROUP)))
        raise ConfigError(f"unknown reranker '{name}' (available: {known})")
    cls = matches[0].load()
    if not (isinstance(cls, type) and issubclass(cls, Reranker)):
        raise ConfigError(f"entry point '{name}' does not name a Reranker class")
    reranker: Reranker = cls()
    return reranker
