"""The offline answerer: the retrieved sentences that answer best, each with its citation.

No model writes anything. Every sentence of the retrieved passages is scored by how much of
the question it covers — the question's content terms weighted by their IDF in the index, so
that "deductible" counts for more than "plan" — plus a little for the rank of its passage.
The best few sentences, duplicates dropped, become the answer, each cited to the page it is
on. How much of the question the best sentence covers is one of the signals from which
``answerability`` decides whether to say them at all, or "I don't know".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yomitoki.rag import crosslingual, names, phrases, same_words
from yomitoki.rag.asked import answer_terms, quantity_asked, time_asked
from yomitoki.rag.quantities import (
    QUANTITY_REACH,
    beside,
    counted_over,
    given,
    period_asked,
    stated,
    unit_asked,
)
from yomitoki.rag.subjects import subject_terms, unfiled
from yomitoki.text import layout, template
from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import LIST_ITEM, each_item, statements
from yomitoki.text.spelling import corrected
from yomitoki.types import Hit

MAX_SENTENCES = 4
#: A later sentence must score at least this share of the best one's to be included.
RELATIVE_FLOOR = 0.5
#: Weight of the passage's rank (1/rank) next to a sentence's coverage of the question.
RANK_WEIGHT = 0.1
#: Lowered score of a model's commentary on a rule (【第２５条 …】): the rule says it first.
COMMENTARY_PENALTY = 0.05
#: Lowered score of a further sentence from a page the answer already cites.
SAME_PAGE_PENALTY = 0.15
#: Sentences sharing this much of their terms with one already chosen add nothing.
DUPLICATE_JACCARD = 0.7
MIN_CHARS = 12
MAX_CHARS = 600

#: Added to the score of a sentence stating the quantity a question asks for (何日, how long)
#: of what the question asks about ("10日の年次有給休暇", "two cleanings"), or of anything.
QUANTITY_BONUS = 0.3
QUANTITY_ELSEWHERE_BONUS = 0.1
#: What writing all of a question's terms in the other language adds to a sentence's score.
TERMS_BONUS = 0.3
#: The terms an article's title writes count this much more: the article is about them
#: ("Do I get a bonus?": （賞与）第５０条, not the premium-pay commentary that names 賞与).
TITLE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Evidence:
    """One candidate sentence, where it comes from, and how well it answers."""

    text: str
    citation: str
    coverage: float
    score: float
    terms: frozenset[str]
    hit_rank: int
    #: The title of the document the sentence is in, when it has one.
    title: str | None = None
    #: The example or commentary of a model document the sentence is in (None: a rule).
    place: template.Place | None = None
    #: The sentence leaves a number blank for the employer (○時間, 「　か月」).
    blank: bool = False
    #: The learned scorer's probability that it answers (``rag.scorer``); None unscored.
    learned: float | None = None
    #: The name of the file the sentence is in.
    document: str | None = None
    #: Of a list quoted with its lead (``statements``), what it says with each item: its lead's
    #: terms and the item's. It covers a question as its best item does, not all at once.
    items: tuple[frozenset[str], ...] = ()
    #: The title of the article the sentence opens (「懲戒の種類」 of 第６７条), "" for none: it
    #: says what the sentence is about without repeating it (``template.article_title``).
    titled: str = ""
    #: Of a list that runs onto the next page, the part on that page, cited to it: quoted
    #: right after this one, which holds the lead and the items on the first page.
    then: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Composed:
    """The sentences the offline answerer would quote, best first."""

    sentences: tuple[Evidence, ...]
    #: The best sentence's coverage of the question, 0..1 (across languages: its cosine).
    evidence: float
    #: The learned scorer's best probability over every candidate (0 without the scorer).
    answers: float = 0.0

    @property
    def dont_know(self) -> bool:
        """True when there is no sentence to quote (whether to quote those there are is
        ``answerability``'s to decide)."""
        return not self.sentences


def candidates(question_weights: dict[str, float], hits: Sequence[Hit]) -> list[Evidence]:
    """Every usable sentence of ``hits`` scored against the weighted question terms."""
    total = sum(question_weights.values())
    if total <= 0:
        return []
    out = []
    for e in sentences(hits):
        subject = subject_terms(e.title, e.document)
        said = [same_words.widened(terms | subject) for terms in e.items or (e.terms,)]
        covered = max(sum(w for t, w in question_weights.items() if t in s) for s in said)
        out.append(_scored(e, covered / total))
    return out


def aside(evidence: Evidence) -> float:
    """What a sentence loses for where it is: a little for its passage's rank, and
    ``COMMENTARY_PENALTY`` more in a model's commentary on a rule (the rule says it first)."""
    commentary = evidence.place is not None and evidence.place.kind == "commentary"
    return (COMMENTARY_PENALTY if commentary else 0.0) - RANK_WEIGHT / evidence.hit_rank


def _scored(evidence: Evidence, coverage: float) -> Evidence:
    """``evidence`` with its coverage of the question, plus a little for its passage's rank."""
    return dataclasses.replace(evidence, coverage=coverage, score=coverage - aside(evidence))


def sentences(hits: Sequence[Hit]) -> list[Evidence]:
    """Every usable sentence of ``hits``, each with its citation, not yet scored."""
    out = []
    for rank, hit in enumerate(hits, start=1):
        breaks = [at for at, _ in hit.page_breaks]
        for first, end in statements(hit.text, MAX_CHARS, breaks):
            start = layout.skip_headings(hit.text, first, end)
            text = layout.tidy(hit.text[start:end])
            if (
                not MIN_CHARS <= len(text) <= MAX_CHARS
                or text[0].islower()
                or layout.is_debris(text)
            ):
                continue  # too short or long, the tail of a sentence cut by a chunk edge, debris
            terms = frozenset(content_terms(text))
            if len(terms) < 3:  # headings, page numbers, table debris
                continue
            title = template.article_title(hit.text, start)
            titled = frozenset(content_terms(title))
            lead, *listed = LIST_ITEM.split(text)
            items: tuple[frozenset[str], ...] = ()
            then = None
            if len(listed) > 1:  # a list: what its lead says with each item (lead read once)
                led = titled.union(content_terms(lead))
                items = tuple(led.union(content_terms(item)) for item in listed)
                if turn := next((at for at in breaks if start < at < end), None):
                    then = _part(hit, turn, end, rank, items=True)  # the next page's items
                    end = turn
            terms |= titled
            part = _part(hit, start, end, rank)
            out.append(
                dataclasses.replace(
                    part,
                    terms=terms,
                    items=items,
                    titled=title,
                    then=then,
                    blank=part.blank or (then is not None and then.blank),
                )
            )
    # Passages overlap: a sentence is in the commentary whichever passage shows its heading.
    placed = {(e.citation, e.text): e.place for e in out if e.place is not None}
    return [dataclasses.replace(e, place=placed.get((e.citation, e.text), e.place)) for e in out]


def _part(hit: Hit, start: int, end: int, rank: int, items: bool = False) -> Evidence:
    """``hit.text[start:end]`` as a sentence of the ``rank``-th hit, cited to its page (a
    list's ``items``, their numbers kept)."""
    text = layout.tidy(hit.text[start:end], items)
    space = len(hit.text[start:end]) - len(hit.text[start:end].lstrip())
    return Evidence(
        text=text,
        citation=hit.citation_at(start + space),
        coverage=0.0,
        score=0.0,
        terms=frozenset(content_terms(text)),
        hit_rank=rank,
        title=hit.title,
        document=hit.document,
        place=template.place_of(hit.text, start),
        blank=template.has_blank(text),
    )


def _duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a & b) / max(1, len(a | b)) >= DUPLICATE_JACCARD


def choose(pool: list[Evidence]) -> Composed:
    """The best sentences, none when there are none.

    After the best sentence, each next one is the best of the rest, with a sentence from a
    page already cited counting for less: an answer drawn from two pages is more likely to
    cite the one that holds the answer than three sentences from one page.
    """
    ranked = sorted(pool, key=lambda e: e.score, reverse=True)
    learned = max((e.learned for e in pool if e.learned is not None), default=0.0)
    if not ranked:
        return Composed((), 0.0, learned)
    best = ranked[0]
    chosen = [best]
    rest = [e for e in ranked[1:] if e.score >= RELATIVE_FLOOR * best.score]
    while rest and len(chosen) < MAX_SENTENCES:
        cited = {c.citation for c in chosen}
        rest = [e for e in rest if not any(_duplicate(e.terms, c.terms) for c in chosen)]
        if not rest:
            break
        pick = max(rest, key=lambda e: e.score - (SAME_PAGE_PENALTY if e.citation in cited else 0))
        chosen.append(pick)
        rest.remove(pick)
    return Composed(tuple(chosen), best.coverage, learned)


@dataclass(frozen=True, slots=True)
class Reading:
    """A question's words as the passages could answer them, and the passages' own words."""

    #: The question's content terms without the words that ask (何, 幾ら, 何歳's 歳: they are
    #: in no answer), each misspelled one read as the passages' word it misspells.
    terms: tuple[str, ...]
    #: Every content term of the passages.
    known: frozenset[str]
    #: The names the question writes that no passage does ("Gold" of "the Northwind Gold
    #: plan" over the Standard and Plus plans' pages: ``rag.names``).
    unnamed: tuple[str, ...] = ()


def read(question: str, hits: Sequence[Hit]) -> Reading:
    """``question`` read against the passages of ``hits``, the words naming their documents
    known with their own (``rag.subjects``)."""
    known = {t for h in hits for t in (*content_terms(h.text), *subject_terms(h.title, h.document))}
    question = unfiled(question, {h.document for h in hits})
    asked = answer_terms(question, content_terms(question))
    terms = set(corrected(asked, known, crosslingual.english_words()))
    # A phrase the passages write only apart ("life insurance") is one term none holds.
    for phrase in phrases.apart(question, (h.text for h in hits)):
        terms = (terms - set(phrase)) | {phrases.joined(phrase)}
    # An abbreviation they do not write ("IVF") is the phrase it stands for, if they write it;
    # a word they do not write, what documents write for it (``same_words``: 有休, 有給休暇).
    spelled = phrases.spelled_out(question, (h.text for h in hits))
    for word, words in (spelled | same_words.read_as(terms, known)).items():
        terms = (terms - {word}) | set(words)
    unnamed = names.unwritten(question, hits, known, spelled, crosslingual.english_words())
    return Reading(tuple(sorted(terms)), frozenset(known), unnamed)


#: Re-scores a pool of sentences (the learned scorer, ``rag.scorer``): it gives each kept
#: one its ``learned`` probability and its new ``score``.
Rescore = Callable[[list[Evidence]], list[Evidence]]


def compose(
    question: str,
    hits: Sequence[Hit],
    idf: Callable[[list[str]], dict[str, float]],
    reading: Reading,
    rescore: Rescore | None = None,
) -> Composed:
    """Score the sentences of ``hits`` for ``question`` (as ``reading`` reads it) and choose
    the answer's sentences.

    A sentence that states the quantity the question asks for (何日, how long) scores more,
    but its coverage of the question, a signal of whether to answer at all, stays what it is.
    With ``rescore``, the learned scorer rates the best of the pool (and, if it chooses,
    re-scores them)."""
    terms = list(reading.terms)
    wanted = quantity_asked(question) or time_asked(question)

    def states(e: Evidence) -> float:  # a number left blank states it as much (as_filled)
        return 0.0 if wanted is None else _quantity_bonus(template.as_filled(e.text), wanted, terms)

    asked = [(e, states(e) + phrases.whole(question, e.text)) for e in candidates(idf(terms), hits)]
    pool = [dataclasses.replace(e, score=e.score + gained) for e, gained in asked]
    if rescore is not None:
        pool = rescore(pool)
    return fact_first(choose(pool), states, question)


def fact_first(composed: Composed, states: Callable[[Evidence], float], question: str) -> Composed:
    """The chosen sentences reordered so that those stating the asked-for quantity lead, the
    one beside a word of the question first (``states``: how much a sentence states it), and
    of those stating as much, an illustration ("For example, …", 「例えば」) after the rest
    unless the question asks for an example; the rest keep their order. An answer opens with
    its fact, not a neighbouring rule or a hypothetical case."""
    cases_last = not template.asks_for_example(question)
    order = sorted(
        composed.sentences, key=lambda e: (-states(e), cases_last and template.illustrates(e.text))
    )
    return dataclasses.replace(composed, sentences=tuple(order))


def _quantity_bonus(sentence: str, wanted: re.Pattern[str], terms: Sequence[str]) -> float:
    """How much stating the asked-for quantity adds: most when a word of the question is
    right beside it ("最低10日の年次有給休暇", "休憩時間は60分"), or leads the list whose item
    states it (「休日は、次のとおりとする。① 土曜日及び日曜日」)."""
    found = [m for m in wanted.finditer(sentence) if given(sentence, m.start(), m.end())]
    if not found:
        return 0.0
    lead = LIST_ITEM.split(sentence, maxsplit=1)[0]
    for match in found:
        near = sentence[max(0, match.start() - QUANTITY_REACH) : match.end() + QUANTITY_REACH]
        if match.start() >= len(lead) and len(lead) < len(sentence):
            near += lead  # an item says what its lead is about
        if any(term in near for term in terms if len(term) > 1):
            return QUANTITY_BONUS
    return QUANTITY_ELSEWHERE_BONUS


def compose_across_languages(
    question: str,
    statements: Sequence[Evidence],
    embed: Callable[[Sequence[str]], npt.NDArray[np.float32]],
    query: npt.NDArray[np.float32],
    rescore: Rescore | None = None,
    terms: Sequence[str] = (),
    max_sentences: int = 80,
) -> Composed:
    """Choose the answer's sentences among ``statements`` (``sentences(hits)``) by meaning, for
    a question in another language. A Japanese question shares no words with English passages,
    so word coverage says nothing; the embedding model is multilingual. Each sentence's cosine
    with the question, scaled so the best is 1 and the worst 0, stands in for coverage when
    choosing; the best cosine is the evidence that ``answerability`` weighs. ``embed`` gives
    the sentences' vectors, ``query`` is the question's. With ``rescore``, the learned scorer
    chooses. ``terms`` are the question's words in the passages' language
    (``rag.crosslingual``; English ones in lower case): a sentence that writes them scores
    more, and one stating the asked-for quantity beside one leads.
    """
    pool = list(statements[:max_sentences])
    if not pool:
        return Composed((), 0.0)
    cosines = embed([e.text for e in pool]) @ query
    low, high = float(cosines.min()), float(cosines.max())
    spread = high - low or 1.0
    scored = [_scored(e, (float(s) - low) / spread) for e, s in zip(pool, cosines, strict=True)]
    unit = unit_asked(question)
    weight = sum(len(t) for t in terms)

    def with_terms(pool: list[Evidence]) -> list[Evidence]:
        """``pool`` with each sentence's score raised by the share of the terms (by length)
        it writes (a list's: its lead and one item's)."""
        if not weight:
            return pool
        out = []
        for e in pool:
            text = f"{e.titled} {e.text}".lower()  # an article's title says what it is about
            share = max(sum(len(t) for t in terms if t in r) for r in each_item(text)) / weight
            share += TITLE_SHARE * sum(len(t) for t in terms if t in e.titled.lower()) / weight
            out.append(dataclasses.replace(e, score=e.score + TERMS_BONUS * share))
        return out

    when = time_asked(question)  # its patterns read either language's days and times

    def states(e: Evidence) -> float:
        # A quantity as the lead would say it: no rate, condition or scheme's name (「１年単位」);
        # a number left blank states it as much (as_filled), though the lead never says it.
        text = template.as_filled(e.text)
        if unit is not None:
            quantity = stated(text, unit, rates=False)
        else:
            found = when.search(text) if when is not None else None
            quantity = found and found.group()
        if not quantity:
            return 0.0
        return QUANTITY_BONUS if beside(text, quantity, terms) else QUANTITY_ELSEWHERE_BONUS

    per = period_asked(question) if unit is not None else None

    def counted_as_asked(e: Evidence) -> float:
        """``QUANTITY_BONUS`` for a sentence stating the quantity over the very length of time
        the question counts it over ("monthly" and 「１か月４５時間」), else 0."""
        asked = unit is not None and per is not None and counted_over(e.text, unit, per)
        return QUANTITY_BONUS if asked else 0.0

    # The terms count before the learned scorer picks the pool's best, and after it rates them.
    scored = with_terms(scored)
    if rescore is not None:
        scored = with_terms(rescore([dataclasses.replace(e, coverage=0.0) for e in scored]))
    else:
        scored = [dataclasses.replace(e, score=e.score + states(e)) for e in scored]
    scored = [dataclasses.replace(e, score=e.score + counted_as_asked(e)) for e in scored]
    chosen = choose(scored)
    return fact_first(dataclasses.replace(chosen, evidence=high), states, question)
