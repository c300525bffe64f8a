"""Whether a PDF page's text layer can be trusted, or the page must be read by OCR."""

from __future__ import annotations

import re
from collections.abc import Callable

#: Fewer characters than this on a page with ink: the page is a picture of text.
MIN_CHARS = 40
#: Mean darkness of a page that holds anything worth reading: a page of text is ~0.03, one
#: short line ~0.002, a blank page 0.
MIN_INK = 0.005
#: Share of the page covered by pictures for a page with little text to be a scan (a cover
#: whose title is a picture of text, a page with one scanned form on it), if it has at least
#: a little ink (a blank scanned page has none).
MIN_PICTURED = 0.2
MIN_PICTURED_INK = 0.001
#: Share of characters that are garbage for a text layer to be mojibake.
MAX_GARBLED = 0.3
#: Below this confidence, what OCR read on a page is not added to a text layer it has.
MIN_CONFIDENCE_BESIDE_TEXT = 0.5

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


def needs_ocr(text: str, ink: Callable[[], float], pictured: Callable[[], float]) -> bool:
    """A page needs OCR when its text layer is mojibake, when it has no text but ink (a scan,
    or text drawn as outlines), or when its little text sits beside pictures (a cover whose
    title is a picture of text). A short text layer alone, a title in large type, is not a
    scan. ``ink`` (the darkness of the rendered page) and ``pictured`` (the share of it under
    images) are only measured for pages with little text."""
    if garbled_share(text) > MAX_GARBLED:
        return True
    letters = sum(1 for ch in text if not ch.isspace())
    if letters >= MIN_CHARS:
        return False
    if letters == 0 and ink() >= MIN_INK:
        return True
    return pictured() >= MIN_PICTURED and ink() >= MIN_PICTURED_INK
