"""A question that asks two things at once, and its parts.

"How does the plan explain in-network costs, and what are the exceptions to prior
authorization?" asks two questions whose answers are on two pages. Searched whole, the
passages of whichever half has the rarer words fill the ranking and the other half goes
unanswered. Its parts are searched instead, their rankings taking turns (``rag.queries``), and
its answer quotes each part's best sentence before the rest.

A part begins where a question word follows "and" or a semicolon in English; where a new
question begins after a question mark (either language); in Japanese at 「また」 after a
clause, and at a comma between two clauses that each ask (「…にどう対応し、…は何ですか」).
A part needs a word of its own: "what and how?" is one question.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from yomitoki.rag.asked import answer_terms
from yomitoki.rag.extractive import Composed, Evidence
from yomitoki.text.analyzer import STOP_WORDS, content_terms

#: The question words that open a second question after "and", a semicolon or "?".
_OPENS_EN = (
    r"what|how|which|when|where|why|who|whom|whose|is|are|was|were|does|do|did|can|could"
    r"|will|would|should|must|may"
)
_PART_EN = re.compile(rf"(?:,?\s+and|;)\s+(?=(?:{_OPENS_EN})\b)", re.IGNORECASE)
#: An English question: a question word anywhere ("Considering the plan, how does…"), or one
#: that asks whether at its start ("Does it…").
_ASKS_EN = re.compile(
    rf"\b(?:what|how|which|when|where|why|who|whom|whose)\b|^(?:{_OPENS_EN})\b", re.IGNORECASE
)
#: A question's mark, or a Japanese question's closing か (「…ありますか。」).
_QUESTION_MARK = re.compile(r"[?？]|か[。．]?$")
#: A question mark with more text after it ends one question and begins another.
_ASKED = re.compile(r"(?<=[?？])\s*(?=\S)")
#: 「また」 after a clause, which asks nothing itself: 「…は何日ですか。また、申請は…」.
_PART_JA = re.compile(r"(?<=[、。])\s*また[、，]?\s*")
#: Japanese question words: a clause holding one asks (「など」 is not 「どの」).
_ASKS_JA = re.compile(
    r"何|どう|(?<!な)どの|どんな|どれ|どちら|いつ|どこ|誰|だれ|いくら|幾ら|いくつ|なぜ|いかが"
)
#: A clause that asks ends in a verb's or adjective's joining form (「…どう影響し、」「…どう
#: すればよく、」「…何日前までに必要で、」), in hiragana but not a particle: 「…タウンには、」
#: 「…豊富だが、」「何日働けば、」「何日欠勤した場合、」 are one question with what follows.
_PARTICLE_JA = "がはもをにのとやかへばてらどよね"
#: Content words a part needs to be a question of its own, the words that ask not counted.
MIN_TERMS = 1
#: The most parts a question is taken to have; past it, they are read as one question.
MAX_PARTS = 3


def parts(question: str) -> tuple[str, ...]:
    """The questions ``question`` asks, in order; empty when it asks one (or its pieces have
    no words of their own or do not ask)."""
    pieces = [question]
    for boundary in (_ASKED, _PART_EN, _PART_JA):
        pieces = [p.strip() for piece in pieces for p in boundary.split(piece)]
    pieces = [p for piece in pieces for p in _asking_clauses(piece) if p]
    if not 2 <= len(pieces) <= MAX_PARTS:
        return ()
    if any(len(_own_words(p)) < MIN_TERMS or not _asks(p) for p in pieces):
        return ()
    return tuple(pieces)


def answered_each(whole: Composed, each: Sequence[Composed]) -> Composed:
    """The answer to a question of parts: each part's best sentence in the parts' order, then
    the whole question's choice. How well the best sentences answer is the parts' mean: no one
    sentence covers much of a question asking two things."""
    if not whole.sentences:
        return whole
    firsts = [c.sentences[0] for c in each if c.sentences]
    said: dict[tuple[str, str], Evidence] = {}
    for e in [*firsts, *whole.sentences]:
        said.setdefault((e.text, e.citation), e)
    evidence = sum(c.evidence for c in each) / len(each) if each else whole.evidence
    return dataclasses.replace(whole, sentences=tuple(said.values()), evidence=evidence)


def _own_words(piece: str) -> set[str]:
    """The words of ``piece`` that say what it asks about (not "what", 何, "is")."""
    return set(answer_terms(piece, content_terms(piece))) - STOP_WORDS


def _asks(piece: str) -> bool:
    """Whether ``piece`` is a question: it has a question mark, a question word or closes with
    か (「文中から3字で抜き出せ。」 after a question is an instruction on answering it)."""
    return bool(_QUESTION_MARK.search(piece) or _ASKS_JA.search(piece) or _ASKS_EN.search(piece))


def _asking_clauses(text: str) -> list[str]:
    """``text`` split at each Japanese comma that ends a clause asking with a question word
    since the last split, before one that asks too: 「…どう影響し、…には何がありますか」 and
    「…何日前までに必要で、賞与は必ず支給されますか？」 ask two things, 「…どちらの姓でも構わない
    が、…何の…」 one."""
    out, start = [], 0
    for comma in re.finditer("、", text):
        end = text[comma.start() - 1]
        if not "ぁ" <= end <= "ゖ" or end in _PARTICLE_JA:
            continue
        if _ASKS_JA.search(text, start, comma.start()) and _asks(text[comma.end() :]):
            out.append(text[start : comma.start() + 1].strip())
            start = comma.end()
    return [*out, text[start:].strip()]
