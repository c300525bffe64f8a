"""What a question asks for, when it asks for a quantity: 何日 wants a number of days.

The offline answerer prefers a sentence that states a quantity in the unit asked for: for
「年次有給休暇は何日付与される？」 the sentence with 「10日」, not one about planned leave
that only mentions 年次有給休暇 more often.
"""

from __future__ import annotations

import re

_NUMBER = r"(?:[0-9０-９][0-9０-９,，.．]*|[一二三四五六七八九十百千万〇]+)"
#: Japanese interrogatives and the units of their answers.
_JAPANESE = (
    (r"何日", r"日"),
    (r"何分", r"分"),
    (r"何時間", r"時間"),
    (r"何歳", r"歳"),
    (r"何回", r"回"),
    (r"何週", r"週"),
    (r"何[かヶカケ箇]月", r"[かヶカケ箇]月"),
    (r"何年", r"年"),
    (r"何[人名]", r"[人名]"),
    (r"いくら|何円", r"円"),
    (r"何割|何パーセント|何[%％]", r"割|パーセント|[%％]"),
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    "|forty|fifty|sixty|ninety|hundred"
)
_HOW_MANY = re.compile(r"\bhow\s+many\s+([a-z]+)", re.IGNORECASE)
#: English questions and the shapes of their answers.
_ENGLISH = (
    (r"\bhow\s+much\b", r"[$€£¥]\s?\d|\d[\d,.]*\s*(?:%|percent|dollars?|yen)"),
    (
        r"\bhow\s+long\b",
        r"\d[\d,.]*\s*(?:-\s*)?(?:days?|weeks?|months?|years?|hours?|minutes?)\b",
    ),
    (r"\bhow\s+old\b", r"\d+\s*(?:-\s*)?years?\b"),
    (r"\bhow\s+often\b", r"\b(?:once|twice|\d+\s*times|every|per|annually|monthly|weekly)\b"),
)


def quantity_asked(question: str) -> re.Pattern[str] | None:
    """A pattern that matches a stated answer to ``question``'s quantity, or None when the
    question asks for none."""
    for asked, unit in _JAPANESE:
        if re.search(asked, question):
            return re.compile(f"{_NUMBER}\\s*(?:{unit})")
    if many := _HOW_MANY.search(question):
        noun = many.group(1).lower().rstrip("s")
        return re.compile(rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS})\s+(?:[a-z-]+\s+)?{noun}",
                          re.IGNORECASE)  # fmt: skip
    for asked, answer in _ENGLISH:
        if re.search(asked, question, re.IGNORECASE):
            return re.compile(answer, re.IGNORECASE)
    return None
