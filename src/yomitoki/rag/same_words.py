"""Japanese words a question and a work rule use for the same thing (``same_words.tsv``).

「年次有給休暇は何日付与されますか？」 asks with 付与; the rule that answers it says
「１０日の年次有給休暇を与える」, while a neighbouring rule on planned leave writes 付与日 and
held more of the question's words. A user asks what he gets (もらえる), his ボーナス or 給料;
the rules grant (付与, 与える), pay (支給, 支払う), 賞与 and 賃金. Sudachi reads each as a word
of its own, so a sentence writing one says the others too when the answer's sentences are
chosen; and a word of the question no document holds is searched as the documents' words
for it (「ボーナスはもらえますか？」 finds 第５０条's 賞与). Taking (取る, 取得) is no group:
「休憩は最低何分とらなければいけませんか」 then opened with a commentary on nursing time that
writes 取得 (bench/README.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

from yomitoki.rag.asked import answer_terms
from yomitoki.text.analyzer import content_terms

_TABLE = Path(__file__).with_name("same_words.tsv")


@functools.cache
def _groups() -> dict[str, frozenset[str]]:
    """Each word of the table, with every word that shares a group with it."""
    same: dict[str, frozenset[str]] = {}
    for line in _TABLE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            group = frozenset(line.split())
            for word in group:
                same[word] = same.get(word, frozenset()) | group
    return same


def widened(terms: Iterable[str]) -> frozenset[str]:
    """``terms`` with every word the table says is the same as one of them."""
    words = frozenset(terms)
    groups = _groups()
    return words.union(*(groups[t] for t in words if t in groups))


def instead(text: str, holds: Callable[[str], bool]) -> str:
    """The table's words for those ``text`` writes and no document holds, the documents' own
    (``holds``), as a query: 「ボーナスはもらえますか？」 over rules that write 賞与 → 「賞与」."""
    terms = frozenset(answer_terms(text, content_terms(text)))  # not もらえ of 〜もらえますか
    groups = _groups()
    unheld = [t for t in sorted(terms) if t in groups and not holds(t)]
    words = frozenset().union(*(groups[t] for t in unheld)) - terms
    return " ".join(sorted(w for w in words if holds(w)))
