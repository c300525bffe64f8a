"""Table rules and box borders taken off a page image before it is read.

Long straight lines are read as ``|``, ``]`` or ``一`` and, worse, split a page into blocks
whose reading order Tesseract then gets wrong (a boxed note in the model employment rules
came back as 40 fragments). A run of dark pixels longer than a twelfth of the page across,
or a thirtieth down, is no character: it is painted white, unless it is thick (a shaded
box, a picture).
Morphological opening with a line, done with
scipy's linear-time 1-D minimum and maximum filters.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.ndimage import maximum_filter1d, minimum_filter1d

#: Darker than this (0 black, 255 white) is ink.
INK_BELOW = 160
#: A line across this share of the page's longer side long, or longer, is a rule ...
ACROSS_SHARE = 1 / 12
#: ... and one down, this share: a table's cell borders are short, but still several times
#: taller than a character (about 1 cm; the boxed tables of the model rules lost 80 % of
#: their errors against 1/12).
DOWN_SHARE = 1 / 30
#: ... unless it is thicker than this share: then it is a shaded box or a picture, kept.
THICK_SHARE = 1 / 250


def without_rules(image: Image.Image) -> Image.Image:
    """``image`` (greyscale) with its long horizontal and vertical lines painted white."""
    pixels = np.asarray(image.convert("L"))
    ink = (pixels < INK_BELOW).astype(np.uint8)
    longest = max(image.size)
    thick = max(2, int(longest * THICK_SHARE))
    rules = np.zeros_like(ink)
    for along, across, share in ((0, 1, DOWN_SHARE), (1, 0, ACROSS_SHARE)):
        lines = _opened(ink, max(3, int(longest * share)), along)
        rules |= lines & (1 - _opened(lines, thick, across))
    if not rules.any():
        return image
    # One pixel more on every side takes the anti-aliased edge of each line too.
    rules = maximum_filter1d(maximum_filter1d(rules, 3, axis=0), 3, axis=1)
    cleaned = np.where(rules.astype(bool), np.uint8(255), pixels)
    return Image.fromarray(cleaned)


def _opened(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """What of ``mask`` a straight run of ``length`` along ``axis`` fits in."""
    eroded = minimum_filter1d(mask, length, axis=axis)
    opened: np.ndarray = maximum_filter1d(eroded, length, axis=axis)
    return opened
