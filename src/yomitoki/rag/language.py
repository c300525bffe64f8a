"""Which language a question is in, so the answer comes back in it."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["ja", "en"]

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect(text: str) -> Language:
    """``ja`` when the text is written in Japanese (kana, or mostly kanji), else ``en``."""
    if _KANA.search(text):
        return "ja"
    han = len(_HAN.findall(text))
    return "ja" if han and han * 3 >= len(_LATIN.findall(text)) else "en"
