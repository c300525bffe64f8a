"""Japanese words a question and a work rule use for the same act (``same_words.tsv``).

「年次有給休暇は何日付与されますか？」 asks with 付与; the rule that answers it says
「１０日の年次有給休暇を与える」, while a neighbouring rule on planned leave writes 付与日 and
held more of the question's words. A user asks what he gets (もらえる) or is paid; the rules
grant (付与, 与える) or pay (支給, 支払う). Sudachi reads each as a word of its own, so a sentence
writing one says the others too, when the answer's sentences are chosen (the search is
unchanged). Taking (取る, 取得) is no group: 「休憩は最低何分とらなければいけませんか」 then
opened with a commentary on nursing time that writes 取得 (bench/README.md).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

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
