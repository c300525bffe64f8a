"""What a question asks for, when it asks for a quantity: 何日 wants a number of days.

The offline answerer prefers a sentence that states a quantity in the unit asked for: for
「年次有給休暇は何日付与される？」 the sentence with 「10日」, not one about planned leave
that only mentions 年次有給休暇 more often.
"""

from __future__ import annotations

import re
import unicodedata

from yomitoki.rag.quantities import ASKED_JA, HOW_LONG, NUMBER_EN, UNITS, japanese_quantity
from yomitoki.text.analyzer import adverbs, content_terms

#: 「休憩時間は？」 asks for an amount without saying 何分: a topic ending in one of these
#: nouns, asked about bare or with どのくらい, wants a quantity in one of its units.
_TOPIC_UNITS = (
    (r"時間", ("minute", "hour")),
    (r"期間", ("day", "week", "month", "year")),
    (r"日数", ("day",)),
    (r"料金|金額|費用|手当|賃金|給与", ("yen",)),
    (r"年齢", ("age",)),
    (r"回数", ("time",)),
)
_BARE_TOPIC = re.compile(
    r"(?:は|って)\s*(?:どのくらい|どれくらい|どれほど)?(?:ですか)?\s*[?？]?\s*$"
)
_HOW_MANY = re.compile(r"\bhow\s+many\s+([a-z]+)", re.IGNORECASE)
_CURRENCY = r"[$€£¥]\s?\d[\d,.]*|\d[\d,.]*\s*(?:dollars?|yen)"
_PERCENT = r"\d[\d,.]*\s*(?:%|percent)"
_MONEY = f"{_CURRENCY}|{_PERCENT}"
#: English questions and the shapes of their answers.
_ENGLISH = (
    # A length of time in any unit, an age: as the units read them (``quantities.UNITS``).
    (HOW_LONG.pattern, UNITS["duration"].pattern(japanese=False).pattern),
    (r"\bhow\s+much\b", _MONEY),
    (r"\bhow\s+old\b", UNITS["age"].pattern(japanese=False).pattern),
    (r"\bhow\s+often\b", r"\b(?:once|twice|\d+\s*times|every|per|annually|monthly|weekly)\b"),
)

#: "What is the deductible…?" asks for an amount without "how much": a question asking what
#: one of these nouns is wants money, and coinsurance a percentage (a deductible is no 20 %).
_ENGLISH_AMOUNTS = re.compile(
    r"^\s*what(?:\s+is|\s+are|'s)\b.{0,40}?\b(?:(?P<share>co-?insurance)|deductibles?"
    r"|co-?pay(?:ment)?s?|premiums?|costs?|fees?|prices?|out-of-pocket\s+maximums?|allowances?)\b",
    re.IGNORECASE,
)


#: The words that ask (何, 幾ら, どこ, how many): a question's, not its answer's. Sudachi's
#: normalized forms (it keeps いつ, どこ and どちら as written), and the Snowball stem of "many".
INTERROGATIVES = frozenset(
    {"何", "何分", "何時", "何曜", "何処", "幾ら", "幾つ", "幾", "誰", "如何", "何故", "何れ"}
    | {"いつ", "どこ", "どちら", "どっち", "どの", "どのような", "どんな", "どう", "どれ"}
    | {"mani", "much"}
)
#: The counter after 何 (何歳, 何日, 何回) asks too: "６５歳" is analyzed as 65 + 年, "何歳" as
#: 何 + 歳, so the counter would count against the very sentence that answers.
_COUNTER = re.compile(r"何\s*([かヶカケ箇]月|週間|時間|[^\s\d、。？?！!])")


#: Japanese grammar that asks, in words that are no content: 「とらなければいけませんか」's
#: いけ is analyzed as 行く, 「してもいいですか」's いい as 良い. (Sudachi's normalized forms.)
_ASKING_GRAMMAR = (
    (
        re.compile(r"(?:なければ|なくては|ないと|なきゃ)\s*(?:いけ|いけな|なら|だめ|ダメ)"),
        {"行く", "成る"},
    ),
    (
        re.compile(r"て?も\s*(?:いい|よい|良い|よろしい|かまわ|構わ|大丈夫)"),
        {"良い", "構う", "宜しい"},
    ),
    (re.compile(r"ことが\s*(?:でき|出来)"), {"出来る", "こと"}),
    (re.compile(r"ことは\s*(?:あり|ある)|ことが\s*(?:あり|ある)"), {"有る", "こと"}),
    # いくつ is analyzed as 幾 + つ; 「答えよ」「答えなさい」 asks for the answer by name.
    (re.compile(r"いくつ|幾つ"), {"つ"}),
    (re.compile(r"答え\s*(?:よ|なさい|て)"), {"答える", "為さる", "下さる"}),
    (re.compile(r"どう\s*(?:すれ|したら|やって|すると)"), {"為る", "遣る"}),
    # 「どうすればいいですか」 asks what to do; 「何時間までOK？」 whether it is allowed.
    (re.compile(r"(?:ば|たら|と)\s*(?:いい|よい|良い)"), {"良い"}),
    (re.compile(r"(?<![A-Za-z])(?:OK|ok|ＯＫ)(?![A-Za-z])|オッケー"), {"ok", "オッケー"}),
    # Sudachi reads 「何分とれる」 as 何 and 分かつ ("to divide").
    (re.compile(r"何分と"), {"分かつ"}),
    # 「教えてください」「知りたい」 ask to be told.
    (re.compile(r"教えて|おしえて"), {"教える", "下さる", "呉れる", "欲しい", "貰う", "頂く"}),
    (re.compile(r"知りたい"), {"知る"}),
    # 「何日もらえますか」 asks what is given: the rule writes 与える or 支給, never もらう.
    (re.compile(r"(?:もら|貰)(?:え|う|い)"), {"貰う"}),
)


#: How a question points at a document rather than at what it says: "according to the
#: Benefits Details", "as outlined in the same document", "How does the plan *address* …",
#: 「就業規則によると」. No sentence answers these words (the group ``w`` of each, or all of
#: it), and a generated question's many of them made its answer look uncovered.
_REFERRING = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\baccording\s+to\b",
        r"\b(?P<w>explained|described|outlined|mentioned|detailed|specified|stated|defined"
        r"|set\s+out|laid\s+out|written)\s+(?:in|by|within)\b",
        r"\b(?:does|do|did)\s+(?:the\s+)?(?:[\w.\-]+\s+){0,8}?(?P<w>explain|describe|outline"
        r"|say|state|mention|address|define|detail)\b",
        r"\b(?:the|this|that|same|details?)\s+(?P<w>document)\b",
        r"^\s*(?P<w>considering)\b|\b(?P<w2>information)\s+(?:(?:provided|given)\s+)?in\b",
        r"に\s*(?:よる|よれ|依る|依れ)[とば]|に\s*(?P<w>記載|明記|書かれ|書いて)",
    )
)


def referring_terms(question: str) -> set[str]:
    """The terms of ``question`` that point at a document, not at what it says."""
    words: set[str] = set()
    for pattern in _REFERRING:
        for match in pattern.finditer(question):
            named = {k: v for k, v in match.groupdict().items() if v}
            words.update(*(content_terms(v) for v in named.values() or [match.group(0)]))
    return words


def answer_terms(question: str, terms: list[str]) -> list[str]:
    """``terms`` of ``question`` without the words that ask (何, 幾ら, the counter of 何歳,
    the いけ of 〜なければいけませんか) or that point at the document asked about
    (``_REFERRING``)."""
    counters = {m.group(1) for m in _COUNTER.finditer(question)}
    grammar = set().union(
        *(words for pattern, words in _ASKING_GRAMMAR if pattern.search(question))
    )
    unasked = INTERROGATIVES | counters | grammar | referring_terms(question) | adverbs(question)
    return [t for t in terms if t not in unasked]


def quantity_asked(question: str) -> re.Pattern[str] | None:
    """A pattern that matches a stated answer to ``question``'s quantity, or None when the
    question asks for none."""
    for asked, key in ASKED_JA:
        if re.search(asked, question):
            return UNITS[key].pattern(japanese=True)
    if bare := _BARE_TOPIC.search(question):
        topic = question[: bare.start()]
        for noun, keys in _TOPIC_UNITS:
            if re.search(f"(?:{noun})$", topic):
                return japanese_quantity("|".join(UNITS[key].ja for key in keys))
    if many := _HOW_MANY.search(question):
        noun = many.group(1).lower().rstrip("s")
        return re.compile(rf"\b{NUMBER_EN}\s+(?:[a-z-]+\s+)?{noun}",
                          re.IGNORECASE)  # fmt: skip
    for asked, answer in _ENGLISH:
        if re.search(asked, question, re.IGNORECASE):
            return re.compile(answer, re.IGNORECASE)
    if amount := _ENGLISH_AMOUNTS.search(question):
        return re.compile(_PERCENT if amount.group("share") else _CURRENCY, re.IGNORECASE)
    return None


#: A question asking when (「給料はいつ支払われますか？」, "When does the maximum reset?", 「休日は
#: 何曜日ですか」, "Which days of the week are holidays?"); not 「いつ頃」 (an era or a year) nor
#: 「いつでも」. (May is no month here: it asks.)
#: A question asking which day of the week: a weekday answers it, a date does not.
_WEEKDAY_ASKED = re.compile(r"何曜日|\b(?:what|which)\s+days?\s+of\s+the\s+week\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"[月火水木金土日]曜日|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.IGNORECASE
)
_WHEN = re.compile(
    r"いつ(?!頃|ごろ|でも|も)|^\s*when\b|\bwhen\s+(?:does|do|is|are|can|will|must|should)\b"
    rf"|{_WEEKDAY_ASKED.pattern}",
    re.IGNORECASE,
)
_MONTHS_EN = "january|february|march|april|june|july|august|september|october|november|december"
#: A day or time a sentence names: 「毎月２５日」「翌月　日」 (a blank too), 「３０日前」,
#: 「午後１０時」, 「前日」, 「いつでも」; "the 1st", "January 1", "within 31 days", "at any time".
_WHEN_STATED = re.compile(
    r"(?:毎|翌|前|当)月\s*[0-9０-９一二三四五六七八九十]*\s*日|[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日"
    r"|[0-9０-９一二三四五六七八九十]+\s*日\s*(?:前|後|以内|まで)|午[前後]\s*[0-9０-９]*\s*時"
    rf"|前日|翌日|当日|{_WEEKDAY.pattern}|いつでも|随時|\bany\s?time\b"
    rf"|\b(?:{_MONTHS_EN})\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|\b(?:first|last)\s+day\b"
    r"|\b(?:beginning|start|end)\s+of\s+(?:the|each|every)\b"
    r"|\b\d+\s+(?:days?|weeks?|months?)\s+(?:before|after|prior|from|of)\b|\bwithin\s+\d+",
    re.IGNORECASE,
)


def time_asked(question: str) -> re.Pattern[str] | None:
    """A pattern that matches a day or time stated in answer to a question asking when (a
    weekday, when it asks which day of the week), or None. It chooses the answer's sentences
    as an asked quantity does; unlike a quantity, one no sentence states is no signal against
    answering (「いつ頃」's eras state no day)."""
    if _WEEKDAY_ASKED.search(question):
        return _WEEKDAY
    return _WHEN_STATED if _WHEN.search(question) else None


#: A yes-or-no question: it ends in 〜ますか / 〜ですか (or opens with "Does", "Is", "Can"...)
#: and has no word asking what, which, who, where or when.
_WHETHER_JA = re.compile(
    r"(?:(?:ます|です|ません|でしょう|れる|できる|ある|いい)か\s*[？?]?|[るうくすつぬぶむいた]\s*[？?])\s*$"
)
_WHETHER_EN = re.compile(
    r"^\s*(?:does|do|did|is|are|was|were|can|could|will|would|may|might|should|has|have|must)\b",
    re.IGNORECASE,
)
_ASKS_WHAT = re.compile(
    r"どこ|何処|どれ|どの|どちら|どんな|だれ|誰|いつ|なぜ|何故|何|なに|いくつ|いくら"
    r"|\b(?:what|which|who|whom|whose|where|when|why|how)\b",
    re.IGNORECASE,
)


def asks_whether(question: str) -> bool:
    """Whether ``question`` asks yes or no (「賞与は必ず支給されますか？」, "Does it cover…?")."""
    if _ASKS_WHAT.search(question):
        return False
    return bool(_WHETHER_JA.search(question) or _WHETHER_EN.match(question))


#: The topic of a Japanese question: what comes before its first は or って (「年次有給休暇は
#: 何日？」), without a leading 「会社の」-like qualifier's particle.
_QUESTION_TOPIC = re.compile(r"^\s*([^、。？?\s]{2,20}?)(?:は|って)")


def topic_of(question: str) -> str:
    """The topic a Japanese question is asked about, NFKC-normalized; "" when none."""
    match = _QUESTION_TOPIC.match(unicodedata.normalize("NFKC", question))
    return match.group(1) if match else ""
