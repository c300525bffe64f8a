"""Which way a page's lines run: across (横書き) or down (縦書き).

Between lines of text there is more white than between the characters of a line. Across
the ink of a page set in horizontal lines, the blank bands between rows of pixels (line
gaps) are wider than the blank bands between columns (character gaps); set in vertical
columns, it is the other way round.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

#: Darker than this (0 black, 255 white) is ink.
INK_BELOW = 160
#: Column gaps must be this much wider than row gaps for the page to be vertical.
VERTICAL_MARGIN = 1.5


def _gaps(blank: np.ndarray) -> np.ndarray:
    """The lengths of the runs of True in ``blank``."""
    edges = np.diff(np.concatenate(([0], blank.astype(np.int8), [0])))
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def looks_vertical(image: Image.Image) -> bool:
    """Whether the page's text runs in columns rather than lines."""
    ink = np.asarray(image.convert("L")) < INK_BELOW
    rows = np.flatnonzero(ink.any(axis=1))
    columns = np.flatnonzero(ink.any(axis=0))
    if len(rows) < 2 or len(columns) < 2:
        return False
    area = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    row_gaps = _gaps(np.logical_not(area.any(axis=1)))
    column_gaps = _gaps(np.logical_not(area.any(axis=0)))
    if len(column_gaps) == 0 or len(row_gaps) == 0:
        # One column of characters, or one line: a column is much taller than it is wide.
        return bool(len(column_gaps) == 0 and area.shape[0] > 3 * area.shape[1])
    return bool(np.median(column_gaps) > VERTICAL_MARGIN * np.median(row_gaps))
