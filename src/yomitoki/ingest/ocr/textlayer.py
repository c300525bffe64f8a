"""Whether a PDF page's text layer can be trusted, or the page must be read by OCR."""

from __future__ import annotations

import re
from collections.abc import Callable

#: Fewer characters than this on a page with ink: the page is a picture of text.
MIN_CHARS = 40
#: Mean darkness of a page that holds anything worth reading: a page of text is ~0.03, one
#: short line ~0.002, a blank page 0.
MIN_INK = 0.005
#: Share of characters that are garbage for a text layer to be mojibake.
MAX_GARBLED = 0.3

# Replacement characters, private-use code points (fonts without a Unicode map), control
# characters, and "(cid:12)" glyph ids that some extractors print for unmapped glyphs.
_GARBLED = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]|\(cid:\d+\)")


def garbled_share(text: str) -> float:
    """The share of ``text``'s non-space characters that are not text."""
    letters = sum(1 for ch in text if not ch.isspace())
    if not letters:
        return 0.0
    garbage = sum(len(m.group()) for m in _GARBLED.finditer(text))
    return min(1.0, garbage / letters)


def needs_ocr(text: str, ink: Callable[[], float]) -> bool:
    """A page needs OCR when its text layer is mojibake, or holds almost nothing while the
    page has ink on it. ``ink`` (the dark share of the rendered page) is only measured for
    pages with little text."""
    if garbled_share(text) > MAX_GARBLED:
        return True
    letters = sum(1 for ch in text if not ch.isspace())
    return letters < MIN_CHARS and ink() >= MIN_INK
