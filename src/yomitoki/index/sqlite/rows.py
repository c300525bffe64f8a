"""Chunk ids to matrix rows: both in-memory legs hold their chunks sorted by id."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def rows_of(
    ids: npt.NDArray[np.int64], chunk_ids: Sequence[int] | npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The row of each of ``chunk_ids`` in the sorted ``ids``; -1 where it is not there."""
    wanted = np.asarray(chunk_ids, dtype=np.int64)
    if len(ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    rows = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return np.where(ids[rows] == wanted, rows, -1)
