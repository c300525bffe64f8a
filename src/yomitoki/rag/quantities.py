"""The quantity a question asks for, in either language, and that quantity in the other.

「年次有給休暇は何日？」 and "How many days of paid leave?" both ask for days; a Japanese
sentence states them as 「１０日」, an English one as "10 days". An answer quoted from
documents in the other language than the question leads with the quantity said in the
question's language ("10 days", 「10日」), cited, before the sentence as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from yomitoki.text.language import has_japanese

NUMBER_JA = r"(?:[0-9０-９][0-9０-９,，.．]*|[一二三四五六七八九十百千万〇]+)"
#: ２割５分 (two tenths, five hundredths), ８割, 25パーセント, 25％.
_SHARE_JA = "割(?:[0-9０-９一二三四五六七八九]分)?|パーセント|[%％]"
#: Words written as a number and a unit that are neither: 十分な ("enough"), 十分に; and a
#: fraction, 「３０分の１」 (one thirtieth).
_NOT_A_NUMBER_JA = rf"十分(?:な|に|で|だ|と|。|、)|{NUMBER_JA}分の[0-9０-９一二三四五六七八九十]"


def japanese_quantity(unit: str) -> re.Pattern[str]:
    """A number in ``unit`` (a pattern: 「日」, 「週間?」) in Japanese text, not a word that only
    looks like one (``_NOT_A_NUMBER_JA``)."""
    return re.compile(f"(?!{_NOT_A_NUMBER_JA}){NUMBER_JA}\\s*(?:{unit})")


#: Numbers as English writes them: digits, or a number word ("three years", "eighteen years
#: old").
_NUMBER_WORDS_EN = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    "|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    "|ninety|hundred"
)
NUMBER_EN = rf"(?:\d[\d,.]*|{_NUMBER_WORDS_EN})"


@dataclass(frozen=True, slots=True)
class Unit:
    """What a quantity counts, as each language writes it."""

    key: str
    #: The unit after a number in Japanese text (日 of １０日).
    ja: str
    #: The unit after a number in English text (days of 10 days).
    en: str
    #: How the lead says it: English (plural), Japanese.
    en_word: str
    ja_word: str

    def pattern(self, japanese: bool) -> re.Pattern[str]:
        """A number in this unit, in Japanese or English text (十分な is "enough", not ten
        minutes: ``japanese_quantity``)."""
        if japanese:
            return japanese_quantity(self.ja)
        return re.compile(rf"\b{NUMBER_EN}[\s-]*(?:{self.en})\b", re.IGNORECASE)


UNITS = {
    u.key: u
    for u in (
        Unit("day", "日", "days?", "days", "日"),
        Unit("minute", "分", "minutes?", "minutes", "分"),
        Unit("hour", "時間", "hours?", "hours", "時間"),
        Unit("week", "週間?", "weeks?", "weeks", "週間"),
        Unit("month", "[かヶカケ箇]月", "months?", "months", "か月"),
        Unit("year", "年", "years?", "years", "年"),
        Unit("age", "歳", "years?(?:\\s+old)?", "years old", "歳"),
        Unit("time", "回", "times?", "times", "回"),
        Unit("person", "[人名]", "people|persons?|workers?|employees?", "people", "人"),
        Unit("yen", "円", "yen", "yen", "円"),
        Unit("share", _SHARE_JA, "%|percent", "", "%"),
    )
}
#: The units of a length of time, shortest first.
DURATIONS = tuple(UNITS[key] for key in ("minute", "hour", "day", "week", "month", "year"))
#: "How long is the break?" asks for a length of time in whichever unit the rule states it
#: (４５分, ６か月): any of ``DURATIONS``, said in its own (``said_in``).
UNITS["duration"] = Unit(
    "duration",
    "|".join(u.ja for u in DURATIONS),
    "|".join(u.en for u in DURATIONS),
    "",
    "",
)
#: Japanese interrogatives and the unit they ask for.
ASKED_JA = (
    (r"何日", "day"),
    (r"何分", "minute"),
    (r"何時間", "hour"),
    (r"何歳", "age"),
    (r"何回", "time"),
    (r"何週", "week"),
    (r"何[かヶカケ箇]月", "month"),
    (r"何年", "year"),
    (r"何[人名]", "person"),
    (r"何割|何パーセント|何[%％]|割増率|率は", "share"),
    (r"いくら|何円", "yen"),
)
_NOUN_EN = {
    "day": "day",
    "minute": "minute",
    "hour": "hour",
    "week": "week",
    "month": "month",
    "year": "year",
    "time": "time",
    "worker": "person",
    "people": "person",
    "person": "person",
    "employee": "person",
}
#: The nouns are matched case-folded in ASCII only (``(?a:``): under Unicode folding "tİmes"
#: matches "times" and lower-cases to no key of ``_NOUN_EN``.
_COUNTED_EN = re.compile(
    r"\b(?:how\s+many|number\s+of|in|(?:limit|cap|maximum|minimum)\s+(?:on|of|for))\s+"
    r"(?:\w+\s+){0,2}?"
    r"((?a:days?|minutes?|hours?|weeks?|months?|years?|times|workers?|people|persons?|employees?))\b",
    re.IGNORECASE,
)
#: A question asking for a length of time: "how long", "how much notice", "how far ahead".
HOW_LONG = re.compile(
    r"\bhow\s+long\b|\bhow\s+much\s+(?:advance\s+|prior\s+)?(?:notice|time)\b"
    r"|\bhow\s+(?:far\s+)?(?:in\s+advance|ahead|early)\b",
    re.IGNORECASE,
)
_ASKED_EN = (
    (re.compile(r"\b(?:how\s+old|what\s+age|retirement\s+age)\b", re.IGNORECASE), "age"),
    (re.compile(r"\b(?:rate|percentage|percent|share)\b", re.IGNORECASE), "share"),
)


def unit_asked(question: str) -> Unit | None:
    """The unit of the quantity ``question`` asks for, in either language; None for none."""
    for asked, key in ASKED_JA:
        if re.search(asked, question):
            return UNITS[key]
    for pattern, key in _ASKED_EN:
        if pattern.search(question):
            return UNITS[key]
    if counted := _COUNTED_EN.search(question):
        noun = counted.group(1).lower()
        noun = noun if noun in _NOUN_EN else noun.removesuffix("s")
        return UNITS[_NOUN_EN[noun]]
    if HOW_LONG.search(question):
        return UNITS["duration"]
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time a quantity is counted over: 「１か月」 of 「１か月４５時間」, "per week"."""

    count: int
    #: day, week, month or year.
    length: str


_LENGTHS_JA = {"日": "day", "週": "week", "月": "month", "年": "year"}
_LENGTH_JA = r"(?P<length>[かヶヵカケ箇]月|年|週|日)間?"
#: How many of them: a number, or 毎 ("every": one).
_COUNT_JA = r"(?P<count>[0-9０-９]+|毎)"
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
#: A length of time just before a quantity, and how it joins it: 「４週間を通じ４日」,
#: 「１週間については４０時間」.
_PERIOD_BEFORE_JA = re.compile(
    rf"{_COUNT_JA}?{_LENGTH_JA}(?:を通じて?|につき|当たり|あたり|について(?:は)?|で|に|は)?$"
)
#: A length of time just before what a Japanese question asks: 「週に何日」「１か月何時間」.
_PERIOD_ASKED_JA = re.compile(
    rf"{_COUNT_JA}?{_LENGTH_JA}(?:に|で|当たり|あたり|につき)?(?:最低|少なくとも)?何"
)
#: A length of time a text names with its count: 「１か月」「４週間」「毎月」 (not 年 of 年次).
PERIOD_JA = re.compile(rf"{_COUNT_JA}{_LENGTH_JA}")
#: The same in English: "per week", "a day", "monthly", "annual" (folded in ASCII only, as
#: ``_COUNTED_EN``'s nouns: each names a key of ``_LENGTHS_EN``).
PERIOD_EN = re.compile(
    r"\b(?:(?:per|a|an|each|every)\s+(?P<length>(?a:day|week|month|year))"
    r"|(?P<adjective>(?a:daily|weekly|monthly|yearly|annual|annually)))\b",
    re.IGNORECASE,
)
#: Each length's adjective ("monthly"), and back.
ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}
_LENGTHS_EN = {adjective: length for length, adjective in ADJECTIVES.items()} | {
    "annual": "year",
    "annually": "year",
}


def _period_ja(found: re.Match[str]) -> Period:
    count = found.group("count")
    number = int(count.translate(_DIGITS)) if count and count != "毎" else 1
    return Period(number, _LENGTHS_JA[found.group("length")[-1]])


def _period_en(found: re.Match[str]) -> Period:
    if (adjective := found.group("adjective")) is not None:
        return Period(1, _LENGTHS_EN[adjective.lower()])
    return Period(1, found.group("length").lower())


def periods(text: str) -> list[tuple[Period, re.Match[str]]]:
    """Each length of time ``text`` names, with where it does."""
    if has_japanese(text):
        return [(_period_ja(found), found) for found in PERIOD_JA.finditer(text)]
    return [(_period_en(found), found) for found in PERIOD_EN.finditer(text)]


def period_asked(question: str) -> Period | None:
    """The length of time a question counts its quantity over ("each week", 「１か月何時間」);
    None when it names none."""
    if has_japanese(question):
        found = _PERIOD_ASKED_JA.search(question)
        return _period_ja(found) if found else None
    said = PERIOD_EN.search(question)
    return _period_en(said) if said else None


def period_before(sentence: str, start: int) -> Period | None:
    """The length of time written just before the quantity at ``start`` of a Japanese
    sentence, or None: 「１か月」 of 「１か月４５時間」, 「４週間」 of 「４週間を通じ４日」."""
    found = _PERIOD_BEFORE_JA.search(sentence, max(0, start - 12), start)
    return _period_ja(found) if found else None


def counted_over(sentence: str, unit: Unit, per: Period) -> bool:
    """Whether ``sentence`` states a quantity in ``unit`` counted over exactly ``per``, the
    length of time written just before it (「１か月４５時間」 for "monthly")."""
    pattern = unit.pattern(has_japanese(sentence))
    return any(
        period_before(sentence, found.start()) == per for found in pattern.finditer(sentence)
    )


#: 「１日の所定労働時間」, 「１週間について」, 「１日８時間」: one of a unit followed by these is a
#: rate (per day, per week), not a quantity of it.
_PER = re.compile(r"[のに当あ0-9０-９]|につき|ごと")
#: 「６時間を超える場合は４５分」, 「10 日以上与えられた労働者に対しては」, 「６５歳未満のもの」: a
#: quantity followed by these is the condition (of a case, or on whom or what a rule is for),
#: not the answer.
_CONDITION = re.compile(
    r"\s*(?:を|が)?(?:超え|超す|上回|下回|以上|未満|以下)[るたっ]?[^、。]{0,20}?"
    r"(?:場合|とき|時|者|もの)"
)
#: 「年次有給休暇日数のうち５日」: a quantity after these is a part of what was counted before.
_PART = re.compile(r"のうち\s*$")
#: 「１年単位の変形労働時間制」, 「週休２日制」, 「３０分単位で」: a quantity followed by these is a
#: scheme's name or a granularity, not an amount.
_GRANULARITY = re.compile(r"\s*(?:単位|制(?!限))")
#: 「４月１日」, 「毎月２５日」: a day of the month, a date, not a number of days.
_MONTH_BEFORE = re.compile(r"月\s*$")


def given(sentence: str, start: int, end: int) -> bool:
    """Whether the quantity at ``start``-``end`` of ``sentence`` is given as an amount: not
    the condition of a rule (「10 日以上与えられた労働者に対しては」), not a part of another
    amount (「年次有給休暇日数のうち５日」), not a granularity (「１年単位の」), not a date
    (「４月１日」) and not a sum of days' wages (「平均賃金の３０日分」)."""
    days = sentence[end - 1 : end] == "日"
    return not (
        _CONDITION.match(sentence, end)
        or _PART.search(sentence, 0, start)
        or _GRANULARITY.match(sentence, end)
        or (days and _MONTH_BEFORE.search(sentence, 0, start))
        or (days and sentence[end : end + 1] == "分")  # 「３０日分」: days' wages
    )


_ONE = frozenset(("1", "１", "一", "one"))


def stated(sentence: str, unit: Unit, rates: bool = True, per: Period | None = None) -> str | None:
    """The first quantity in ``unit`` that ``sentence`` states, as written; None for none.
    Without ``rates``, one of a unit said as a rate (「１日の」, 「１日８時間」), as a condition
    (「６時間を超える場合」) or counted over another length of time than the question's ``per``
    (「４週間を通じ４日」 for "each week") is passed over: it is no quantity to answer with."""
    japanese = has_japanese(sentence)
    for found in unit.pattern(japanese).finditer(sentence):
        counted = period_before(sentence, found.start()) if japanese and per else None
        if not rates and counted not in (None, per):
            continue
        number = re.match(NUMBER_JA if japanese else NUMBER_EN, found.group(0))
        one = number is not None and number.group(0) in _ONE
        if not rates and one and japanese and _PER.match(sentence, found.end()):
            continue
        if not rates and japanese and not given(sentence, found.start(), found.end()):
            continue
        return found.group(0)
    return None


def said_in(quantity: str, unit: Unit, japanese: bool) -> str:
    """``quantity`` (as a sentence states it) said in Japanese or English: 「１０日」 -> "10
    days", "10 days" -> 「10日」; a number in kanji stays as written."""
    if unit.key == "duration":  # said in the unit it was stated in: 「４５分」 -> "45 minutes"
        written = has_japanese(quantity)
        unit = next((u for u in DURATIONS if u.pattern(written).fullmatch(quantity)), unit)
    plain = unicodedata.normalize("NFKC", quantity)
    number = re.match(r"[0-9][0-9,.]*|[一二三四五六七八九十百千万〇]+|[A-Za-z]+", plain)
    value = number.group(0) if number else plain
    if japanese:
        return f"{value}{unit.ja_word}"
    if unit.key == "share":
        tenths = re.match(r"([0-9]+)割(?:([0-9])分)?", plain)
        if tenths:  # ２割５分: two tenths and five hundredths, 25 %
            return f"{10 * int(tenths.group(1)) + int(tenths.group(2) or 0)}%"
        return plain
    word = unit.en_word
    if value in ("1", "one") and word.endswith("s") and unit.key != "age":
        word = word[:-1]
    return f"{value} {word}"


#: Characters between a quantity and a word of the question for the one to be the other's.
QUANTITY_REACH = 6


def beside(sentence: str, quantity: str, terms: Sequence[str]) -> bool:
    """Whether one of ``terms`` is written within ``QUANTITY_REACH`` characters of where
    ``sentence`` states ``quantity`` as an amount (a term may run on past the reach; the
    same figure as a condition or a part, 「日数のうち５日」, is not where it is stated)."""
    text = sentence.lower()
    for at in re.finditer(re.escape(quantity), sentence):
        if not given(sentence, at.start(), at.end()):
            continue
        low, high = at.start() - QUANTITY_REACH, at.end() + QUANTITY_REACH
        for term in terms:
            for found in re.finditer(re.escape(term), text):
                if found.start() <= high and found.end() >= low:
                    return True
    return False
