"""What a question is searched as, each query by its weight.

The question's own words always. Over documents in the other language, also its terms in
theirs (``rag.crosslingual``), as much as the documents do not write its own words (none of
them: at full weight). And a follow-up's earlier topic beside it (``rag.chat``), read the same
way: over documents in the other language the topic's own words would only repeat the
follow-up's meaning in the vector leg (an English follow-up over Japanese rules lost the
page its Japanese terms had found: bench/results/followups_offline.json).
"""

from __future__ import annotations

from collections.abc import Callable

from yomitoki.rag import chat, crosslingual
from yomitoki.rag.crosslingual import Crossing
from yomitoki.text.language import Language

#: A query weighed less is not searched: its ranking would barely move the fused one.
MIN_WEIGHT = 0.05


def weighed(
    query: str,
    beside: str | None,
    language: Language,
    visible: Callable[[str], float],
    holds: Callable[[str], bool],
) -> tuple[dict[str, float], Crossing]:
    """The queries to search for ``query`` (and ``beside`` it, a follow-up's earlier topic) by
    weight, and the question's terms in the documents' language; ``visible`` is the share of a
    text's words some readable document writes, ``holds`` whether one holds a term."""
    unread = 1.0 - visible(query)
    crossed = _crossing(query, language, holds, unread)
    weights = {query: 1.0, " ".join(crossed.terms): crosslingual.TERMS_WEIGHT * unread}
    if beside is not None:
        around = " ".join(_crossing(beside, language, holds, unread).terms)
        weights[beside] = chat.BESIDE_WEIGHT * (1.0 - unread)
        weights[around] = weights.get(around, 0.0) + (
            chat.BESIDE_WEIGHT * crosslingual.TERMS_WEIGHT * unread
        )
    return {q: w for q, w in weights.items() if q and w >= MIN_WEIGHT}, crossed


def _crossing(
    text: str, language: Language, holds: Callable[[str], bool], unread: float
) -> Crossing:
    """``text``'s words in the other language, those a readable document holds; none when
    the documents write nearly all of the question's own (``unread``: the share not)."""
    if unread < crosslingual.MIN_UNREAD:
        return crosslingual.NOTHING
    return crosslingual.crossing(text, language, holds)
