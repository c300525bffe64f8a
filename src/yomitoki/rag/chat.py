"""Conversation helpers: keep history within a budget, make a follow-up searchable alone."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from yomitoki.rag.asked import topic_of
from yomitoki.rag.quantities import ADJECTIVES, periods
from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.text.language import has_japanese
from yomitoki.types import Message

#: Pronouns pointing back at what was said.
_PRONOUNS_EN = "it|its|that|this|those|these|they|them|there|same"
_PRONOUNS_JA = "それ|その|これ|この|あれ|同じ"
#: A follow-up with one of these has no topic of its own.
_POINTS_BACK = re.compile(rf"\b(?:{_PRONOUNS_EN})\b|{_PRONOUNS_JA}", re.IGNORECASE)
# Words by which a follow-up leans on what was said before.
_REFERS_BACK = re.compile(
    rf"\b(?:{_PRONOUNS_EN}|their|also|what about|how about|and for)\b"
    rf"|^\s*(?:and|then|also|so)\b|{_PRONOUNS_JA}|あの|そちら|こちら|では|じゃあ|も\s*[?？]?$",
    re.IGNORECASE,
)
#: Suggested follow-up questions an answer offers at most.
MAX_FOLLOWUPS = 3
#: A question with this few content words is taken as a follow-up.
SHORT_QUESTION_TERMS = 1


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: about four ASCII characters, or one other character, a token."""
    ascii_chars = sum(1 for c in text if c.isascii())
    return ascii_chars // 4 + (len(text) - ascii_chars) + 1


def within_budget(history: Sequence[Message], budget: int) -> list[Message]:
    """The most recent turns of ``history`` whose estimated tokens fit ``budget``, in order."""
    kept: list[Message] = []
    used = 0
    for message in reversed(history):
        cost = estimate_tokens(message.content)
        if used + cost > budget:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    # Start on a user turn, so the model never sees an answer without its question.
    while kept and kept[0].role != "user":
        kept.pop(0)
    return kept


def needs_context(question: str) -> bool:
    """Does ``question`` lean on earlier turns (a pronoun, "what about", or very few words)?"""
    return bool(_REFERS_BACK.search(question)) or len(content_terms(question)) <= (
        SHORT_QUESTION_TERMS
    )


#: Words of a follow-up that name no topic of their own: numbers, units, pronouns, fillers and
#: the verbs every question has (Sudachi's normalized forms, Snowball's English stems).
# fmt: off
_NO_TOPIC = frozenset((
    "年", "月", "日", "週", "時間", "分", "回", "歳", "箇月", "週間", "人", "円",
    "其れ", "此れ", "彼れ", "其の", "何", "為る", "有る", "居る", "成る", "貰う", "出来る",
    "行く", "良い", "言う", "思う",
    "per", "after", "befor", "then", "also", "about", "what", "year", "month", "week", "day",
    "time", "hour", "minut", "mani", "much",
))
# fmt: on
_NUMBER = re.compile(r"[0-9０-９.,]+")
#: How an English question opens before its topic: "How many days of paid leave..." is about
#: "days of paid leave...".
_ASKING_EN = re.compile(
    r"^\s*(?:how\s+(?:many|much|long|often)|what(?:'s|\s+is|\s+are)?(?:\s+the)?|which|when"
    r"|where|who|is|are|does|do|can|could|should|must|will|the|a|an)\s+",
    re.IGNORECASE,
)


def has_own_topic(question: str) -> bool:
    """Does the follow-up name a topic of its own (「休憩時間は？」, "What about breaks?"),
    rather than only a quantity, a pronoun or filler (「１年では？」, 「それは何か月？」, "And per
    year?")?"""
    if _POINTS_BACK.search(question):
        return False
    return any(not _NUMBER.fullmatch(t) and t not in _NO_TOPIC for t in content_terms(question))


def topic(question: str) -> str:
    """What an earlier question was about: its topic before は (「年次有給休暇」), or what follows
    its asking words ("days of annual paid leave are granted")."""
    if has_japanese(question) and (found := topic_of(question)):
        return found
    rest, asked = question, 1
    while asked:  # "What does ..." asks twice
        rest, asked = _ASKING_EN.subn("", rest)
    return rest.strip(" ?？")


@dataclass(frozen=True, slots=True)
class Searched:
    """The offline rewrite of a question: what it is answered as, and a second query searched
    beside it at less weight (``BESIDE_WEIGHT``), if any."""

    query: str
    beside: str | None = None


#: The weight of the query with the earlier topic next to the follow-up's own (weight 1).
BESIDE_WEIGHT = 0.5


def standalone_query(question: str, history: Sequence[Message]) -> Searched:
    """The offline rewrite: the follow-up's own words weigh most; the earlier question adds
    only its topic. A follow-up that names its own topic (「休憩時間は？」, "What about
    dental?") is answered as it is and searched beside itself with the earlier topic added
    (at ``BESIDE_WEIGHT``: "dental" of the plan asked about before); one that leans on the
    conversation (「１年では？」, 「それは何か月？」) is asked with the earlier topic added."""
    previous = [m.content for m in history if m.role == "user"]
    if not previous or not needs_context(question):
        return Searched(question)
    with_topic = f"{question} {topic(previous[-1])}"
    if has_own_topic(question):
        return Searched(question, with_topic)
    return Searched(other_period(question, previous[-1]) or with_topic)


def other_period(question: str, earlier: str) -> str | None:
    """The earlier question asked of the follow-up's length of time, when the follow-up names
    only that and the earlier question named one other (「時間外労働の上限は１か月何時間以内
    ですか？」 then 「１年では？」: 「…上限は１年何時間以内ですか？」); None otherwise."""
    asked, before = periods(question), periods(earlier)
    if len(asked) != 1 or len(before) != 1 or has_japanese(question) != has_japanese(earlier):
        return None
    (period, said), (was, found) = asked[0], before[0]
    if period == was:
        return None
    if has_japanese(earlier):
        swapped = said.group(0)
    else:  # the earlier question's own form: "monthly" -> "yearly", "per month" -> "per year"
        form = found.group(0)
        swapped = re.sub(r"\S+$", period.length, form) if " " in form else ADJECTIVES[period.length]
    return earlier[: found.start()] + swapped + earlier[found.end() :]


def transcript(history: Sequence[Message], question: str) -> str:
    """The conversation as text for the rewrite prompt, answers without their citations."""
    lines = [
        f"{m.role}: {citations.strip(m.content).strip()}" for m in history if m.role != "system"
    ]
    return "\n".join([*lines, f"user (latest question): {question}"])


def parse_followups(text: str) -> tuple[str, ...]:
    """Questions from the model's JSON array; anything else yields none."""
    start, end = text.find("["), text.rfind("]")
    try:
        items = json.loads(text[start : end + 1]) if start != -1 < end else []
    except json.JSONDecodeError:
        return ()
    if not isinstance(items, list):
        return ()
    questions = [" ".join(str(q).split()) for q in items if isinstance(q, str | int | float)]
    return tuple(q for q in questions if q)[:MAX_FOLLOWUPS]
