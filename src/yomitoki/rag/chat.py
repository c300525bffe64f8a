"""Conversation helpers: keep history within a budget, make a follow-up searchable alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.types import Message

# Words by which a follow-up leans on what was said before.
_REFERS_BACK = re.compile(
    r"\b(?:it|its|that|this|those|these|they|them|their|there|same|also|what about|how about"
    r"|and for)\b|それ|その|これ|この|あれ|あの|そちら|こちら|同じ|では|じゃあ|も\s*[?？]?$",
    re.IGNORECASE,
)
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


def standalone_query(question: str, history: Sequence[Message]) -> str:
    """The offline rewrite: a follow-up is searched together with the previous question."""
    previous = [m.content for m in history if m.role == "user"]
    if not previous or not needs_context(question):
        return question
    return f"{previous[-1]} {question}"


def transcript(history: Sequence[Message], question: str) -> str:
    """The conversation as text for the rewrite prompt, answers without their citations."""
    lines = [
        f"{m.role}: {citations.strip(m.content).strip()}" for m in history if m.role != "system"
    ]
    return "\n".join([*lines, f"user (latest question): {question}"])
