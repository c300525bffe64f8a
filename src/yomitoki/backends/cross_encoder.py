"""A cross-encoder reranker the user already has: an ONNX model and its tokenizer in a folder.

No PyPI package ships cross-encoder weights, so yomitoki downloads none: point the
``cross_encoder`` setting at a folder holding ``model.onnx`` (or ``onnx/model.onnx``) and
``tokenizer.json``, as Hugging Face repositories of rerankers publish them (see
docs/settings.md for recommended models and how to fetch one once). Each (question,
passage) pair is encoded together and the model's relevance logit becomes a score in
[0, 1]. Runs with onnxruntime and tokenizers: ``pip install 'yomitoki[cross-encoder]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from yomitoki.backends.base import Reranker, RerankerInputs
from yomitoki.errors import ConfigError, MissingDependencyError

#: Where a model folder may keep its ONNX graph.
MODEL_FILES = ("model.onnx", "onnx/model.onnx")


class CrossEncoder(Reranker):
    """Scores (question, passage) pairs with a cross-encoder in ONNX."""

    name = "cross-encoder"

    @classmethod
    def configured(cls, inputs: RerankerInputs) -> CrossEncoder:
        """The model in the ``cross_encoder`` setting's folder."""
        if inputs.model_folder is None:
            raise ConfigError("reranker 'cross-encoder' needs the cross_encoder setting (a folder)")
        return cls(inputs.model_folder)

    def __init__(self, folder: Path, max_length: int = 512, batch_size: int = 16) -> None:
        # Imported here, not with the module: ~100 ms every command would pay for a reranker
        # few use. It is built before the first search, so it loads before usearch (loaded on
        # first use in index.sqlite.vectors): in the other order the process crashes.
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise MissingDependencyError(
                "yomitoki[cross-encoder]", "the cross-encoder reranker"
            ) from None
        model = next((folder / f for f in MODEL_FILES if (folder / f).is_file()), None)
        tokenizer = folder / "tokenizer.json"
        if model is None or not tokenizer.is_file():
            raise ConfigError(
                f"cross_encoder {folder} needs model.onnx (or onnx/model.onnx) and "
                "tokenizer.json; see docs/settings.md for how to fetch a model once"
            )
        self.tokenizer: Any = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.enable_padding()
        self.session: Any = onnxruntime.InferenceSession(
            str(model), providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        out: list[float] = []
        for start in range(0, len(passages), self.batch_size):
            batch = passages[start : start + self.batch_size]
            out.extend(self._batch(query, batch))
        return out

    def _batch(self, query: str, passages: Sequence[str]) -> list[float]:
        encodings = self.tokenizer.encode_batch([(query, p) for p in passages])
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        feed = {name: value for name, value in arrays.items() if name in self.inputs}
        (logits,) = self.session.run(None, feed)[:1]
        return relevance(np.asarray(logits, dtype=np.float64))


def relevance(logits: np.ndarray) -> list[float]:
    """Scores in [0, 1] from a model's logits: one logit per pair (sigmoid), or two classes
    (the probability of the second, "relevant")."""
    if logits.ndim == 2 and logits.shape[1] == 2:
        shifted = logits - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        return [float(v) for v in probabilities[:, 1]]
    flat = logits.reshape(len(logits), -1)[:, 0]
    return [float(v) for v in 1.0 / (1.0 + np.exp(-flat))]
