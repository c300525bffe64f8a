"""Words a question and a work rule or policy use for the same thing (``same_words.tsv``).

「年次有給休暇は何日付与されますか？」 asks with 付与; the rule that answers it says
「１０日の年次有給休暇を与える」, while a neighbouring rule on planned leave writes 付与日 and
held more of the question's words. A user asks what he gets (もらえる), his ボーナス or 給料,
his 有休 and 残業代; the rules grant (付与, 与える), pay (支給, 支払う), 賞与, 賃金, 有給休暇 and
割増賃金. Sudachi reads each as a word of its own. So a sentence writing one word of a group
says the others too when the answer's sentences are chosen; and a word of the question that
the passages do not write is read as what they write for it (「遅刻したら給料は減りますか？」
holds every word of 「…賃金を減額する」), and searched as that when no document holds it
(「ボーナスはもらえますか？」 finds 第５０条's 賞与). Taking (取る, 取得) is no group:
「休憩は最低何分とらなければいけませんか」 then opened with a commentary on nursing time that
writes 取得 (bench/README.md); 取れる, which no rule writes, is read as 取得 one way only.
In English the table joins what the stemmer leaves apart: "covered" and "coverage".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from yomitoki.rag.asked import answer_terms
from yomitoki.text.analyzer import content_terms

_TABLE = Path(__file__).with_name("same_words.tsv")


@dataclass(frozen=True, slots=True)
class _Table:
    #: Each word of a group, with every word that shares a group with it.
    same: dict[str, frozenset[str]]
    #: Each word, with what documents may write for it, each as its terms, in the table's order.
    meanings: dict[str, tuple[tuple[str, ...], ...]]


@functools.cache
def _table() -> _Table:
    """``same_words.tsv`` read: its groups, and every word's meanings (a group's other words,
    an arrow's phrases)."""
    same: dict[str, frozenset[str]] = {}
    meanings: dict[str, tuple[tuple[str, ...], ...]] = {}
    for line in _TABLE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, arrow, written = line.partition(">")
        if arrow:
            said = tuple(tuple(phrase.split("+")) for phrase in written.split())
            meanings[word.strip()] = meanings.get(word.strip(), ()) + said
            continue
        group = line.split()
        for word in group:
            same[word] = same.get(word, frozenset()) | frozenset(group)
            others = tuple((other,) for other in group if other != word)
            meanings[word] = meanings.get(word, ()) + others
    return _Table(same, meanings)


def widened(terms: Iterable[str]) -> frozenset[str]:
    """``terms`` with every word a group of the table says is the same as one of them."""
    words = frozenset(terms)
    same = _table().same
    return words.union(*(same[t] for t in words if t in same))


def read_as(terms: Iterable[str], known: Container[str]) -> dict[str, tuple[str, ...]]:
    """Each of ``terms`` that is not ``known`` (the passages' terms), with the first of what
    documents write for it that they all know: 有休 → (有給, 休暇), 給料 → (賃金,)."""
    meanings = _table().meanings
    out = {}
    for term in terms:
        if term not in known:
            meant = (m for m in meanings.get(term, ()) if all(t in known for t in m))
            if (first := next(meant, None)) is not None:
                out[term] = first
    return out


def instead(text: str, holds: Callable[[str], bool]) -> str:
    """What documents write for the words ``text`` writes and no document holds, those they
    hold (``holds``), as a query: 「ボーナスはもらえますか？」 over rules that write 賞与 →
    「賞与」; 「有休は何日？」 → 「有給 休暇」."""
    terms = answer_terms(text, content_terms(text))  # not もらえ of 〜もらえますか
    meanings = _table().meanings
    words = {
        t
        for term in terms
        if not holds(term)
        for meant in meanings.get(term, ())
        if all(holds(t) for t in meant)
        for t in meant
    }
    return " ".join(sorted(words - set(terms)))
