"""Which language a text is in: a question (so the answer comes back in it), or a passage."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["ja", "en"]

# Hiragana, katakana (with the prolonged sound mark), CJK ideographs and CJK punctuation.
JAPANESE = (
    r"\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
)
JAPANESE_CHAR = re.compile(f"[{JAPANESE}]")

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect(text: str) -> Language:
    """``ja`` when the text is written in Japanese (kana, or mostly kanji), else ``en``."""
    if _KANA.search(text):
        return "ja"
    han = len(_HAN.findall(text))
    return "ja" if han and han * 3 >= len(_LATIN.findall(text)) else "en"


def has_japanese(text: str) -> bool:
    """True when ``text`` contains at least one Japanese character."""
    return JAPANESE_CHAR.search(text) is not None
