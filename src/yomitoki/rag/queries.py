"""What a question is searched as, each query by its weight.

The question's own words always. Over documents in the other language, also its terms in
theirs (``rag.crosslingual``), as much as the documents do not write its own words (none of
them: at full weight), and the documents' word for one of its words that none of them holds
(``rag.same_words``: ボーナス searched as 賞与). A question asking two things is searched as
its parts instead, each read the same way (``rag.parts``). And a follow-up's earlier topic
beside it (``rag.chat``), read the same way: over documents in the other language the topic's
own words would only repeat the follow-up's meaning in the vector leg (an English follow-up
over Japanese rules lost the page its Japanese terms had found:
bench/results/followups_offline.json).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yomitoki.rag import chat, crosslingual, parts, same_words
from yomitoki.rag.crosslingual import Crossing
from yomitoki.text.language import Language

#: A query weighed less is not searched: its ranking would barely move the fused one.
MIN_WEIGHT = 0.05
#: The documents' word for one of the question's that none of them holds (``rag.same_words``:
#: 賞与 for ボーナス) is searched as the question's own would be.
SAME_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Searches:
    """What a question is searched as."""

    #: The queries for each thing it asks, by weight: one set, or one for each of its parts,
    #: whose rankings take turns (``Retriever.search_each``).
    each: tuple[dict[str, float], ...]
    #: The question's terms in the documents' language.
    crossing: Crossing
    #: The parts of a question that asks two things, each with its terms (``rag.parts``).
    parts: tuple[tuple[str, Crossing], ...] = ()


def weighed(
    query: str,
    beside: str | None,
    language: Language,
    visible: Callable[[str], float],
    holds: Callable[[str], bool],
) -> Searches:
    """What to search for ``query`` (and ``beside`` it, a follow-up's earlier topic);
    ``visible`` is the share of a text's words some readable document writes, ``holds``
    whether one holds a term."""
    unread = 1.0 - visible(query)
    crossed = _crossing(query, language, holds, unread)
    split = tuple((p, _crossing(p, language, holds, unread)) for p in parts.parts(query))
    around = None
    if beside is not None:
        around = (beside, _crossing(beside, language, holds, unread))
    each = tuple(
        _weights(asked, terms, around, unread, holds)
        for asked, terms in split or ((query, crossed),)
    )
    return Searches(each, crossed, split)


def _weights(
    asked: str,
    crossing: Crossing,
    beside: tuple[str, Crossing] | None,
    unread: float,
    holds: Callable[[str], bool],
) -> dict[str, float]:
    """The queries for ``asked`` by weight: its own words, its terms in the documents'
    language as much as they do not write its own, the documents' words for those of its
    words no document holds, and the same of ``beside``."""
    weights = {asked: 1.0, " ".join(crossing.terms): crosslingual.TERMS_WEIGHT * unread}
    instead = same_words.instead(f"{asked} {' '.join(crossing.terms)}", holds)
    weights[instead] = weights.get(instead, 0.0) + SAME_WEIGHT
    if beside is not None:
        topic, terms = beside
        weights[topic] = chat.BESIDE_WEIGHT * (1.0 - unread)
        around = " ".join(terms.terms)
        weights[around] = weights.get(around, 0.0) + (
            chat.BESIDE_WEIGHT * crosslingual.TERMS_WEIGHT * unread
        )
    return {q: w for q, w in weights.items() if q and w >= MIN_WEIGHT}


def _crossing(
    text: str, language: Language, holds: Callable[[str], bool], unread: float
) -> Crossing:
    """``text``'s words in the other language, those a readable document holds; none when
    the documents write nearly all of the question's own (``unread``: the share not)."""
    if unread < crosslingual.MIN_UNREAD:
        return crosslingual.NOTHING
    return crosslingual.crossing(text, language, holds)
