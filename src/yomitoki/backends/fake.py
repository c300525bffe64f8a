"""Shipped fakes: fast deterministic backends for tests and demos, passed in like real ones."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from yomitoki.backends.base import Embedder, TextKind, Vectors


class HashEmbedder(Embedder):
    """Character-bigram feature hashing: lexical similarity only, no model, no semantics."""

    model_id = "hash-bigram-256"
    dim = 256
    batch_size: ClassVar[int] = 256

    def embed_batch(self, texts: Sequence[str], kind: TextKind) -> Vectors:
        """Count hashed character bigrams of the lower-cased text into ``dim`` buckets."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            folded = " ".join(text.lower().split())
            for i in range(max(len(folded) - 1, 1)):
                digest = hashlib.blake2b(folded[i : i + 2].encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out
