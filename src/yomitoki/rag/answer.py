"""Questions in, cited answers out, as one stream of typed events.

``Answerer.stream`` yields a ``Context`` (query, hits, prompt) first, then ``TextDelta``s,
then ``Followups`` when asked for, and an ``Answer`` last. The CLI and the HTTP API both
consume exactly this stream. Citations in the text are checked against the passages given to
the answerer before any text is released, and every cited sentence is checked for support.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass

from yomitoki.backends.base import LLM
from yomitoki.errors import YomitokiError
from yomitoki.index.engine import Filters
from yomitoki.rag import (
    answerability,
    chat,
    crosslingual,
    extractive,
    parts,
    queries,
    quoting,
    scorer,
    siblings,
)
from yomitoki.rag.answerability import Answerability, Signals
from yomitoki.rag.asked import asks_whether, quantity_asked, topic_of
from yomitoki.rag.citations import CitationStream, Sources, check
from yomitoki.rag.passages import passages, sources_block, titled
from yomitoki.rag.prompts import Prompts
from yomitoki.rag.quantities import period_asked, unit_asked
from yomitoki.rag.quoting import Asked
from yomitoki.rag.retriever import Retriever
from yomitoki.rag.support import check_support
from yomitoki.text import citations
from yomitoki.text.language import Language, detect, has_japanese
from yomitoki.types import (
    Answer,
    Context,
    Event,
    Followups,
    Hit,
    Message,
    Mode,
    TextDelta,
    Usage,
)

MAX_QUESTION_CHARS = 4000
_DONT_KNOW = re.compile(r"^\W*(?:i\s+don['’]t\s+know|わかりません|分かりません)", re.IGNORECASE)


def says_dont_know(text: str) -> bool:
    """Whether an LLM's reply opens with "I don't know" (or わかりません)."""
    return bool(_DONT_KNOW.match(text))


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """How answers are written; ``yomitoki.assemble`` builds it from the settings, and the HTTP
    API validates a request's overrides into a changed copy."""

    mode: Mode
    #: Passages an answer is written from (setting ``answer_sources``; the demo's ``top``).
    answer_sources: int
    temperature: float
    max_tokens: int
    followups: bool
    min_support: float
    history_tokens: int
    #: Offline answerer: when the passages answer, as the calibrated model judges it.
    answerability: Answerability
    #: A probability to answer from instead of the calibration's own threshold (None: its).
    min_answerability: float | None
    #: Offline answerer: the learned sentence scorer rates the sentences (and chooses them
    #: across languages) where it was fitted on the embedder's vectors.
    sentence_scorer: bool
    filters: Filters
    #: azure-search-openai-demo's rule: ``>>>text`` inserts text into the shipped answer
    #: prompt; any other template replaces it (the sources fill ``$sources`` or follow it);
    #: None: the shipped prompt.
    prompt_template: str | None


@dataclass(frozen=True, slots=True)
class Judged:
    """The offline answerer's reading of the passages: its sentences and whether to say them."""

    composed: extractive.Composed
    signals: Signals
    #: The calibrated probability that the passages answer the question, and the one from
    #: which it answers.
    probability: float
    threshold: float
    answers: bool
    #: The names the question writes that no passage does (``rag.names``).
    unnamed: tuple[str, ...] = ()

    def decision(self) -> dict[str, float]:
        """The signals, the probability and the threshold, as the answer reports them."""
        signals = {name: round(value, 4) for name, value in asdict(self.signals).items()}
        return {
            **signals,
            "probability": round(self.probability, 4),
            "threshold": round(self.threshold, 4),
        }


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A question as it was searched, and what was found for it."""

    question: str
    #: The question made searchable alone (a follow-up rewritten with the conversation).
    query: str
    language: Language
    #: The conversation before it, within the history budget.
    turns: tuple[Message, ...]
    hits: list[Hit]
    #: The passages of ``hits`` by the citation each supports (``passages.passages``).
    given: dict[str, list[str]]
    #: What rewriting the question cost (an LLM's tokens).
    usage: Usage
    #: What it was searched as: its parts when it asks two things, and its words in the
    #: documents' language (an English question's Japanese terms or a Japanese one's English
    #: glosses, ``rag.crosslingual``).
    searches: queries.Searches


@dataclass(frozen=True, slots=True)
class Written:
    """An answer's text as written, and what the writing said of it."""

    text: str
    removed: tuple[str, ...]
    #: The offline answerer's decision to answer (signals, probability, threshold).
    decision: dict[str, float] | None
    usage: Usage


def collect(events: Iterable[Event]) -> tuple[Context, Answer]:
    """The context and the answer of a whole answer's events."""
    context: Context | None = None
    for event in events:
        if isinstance(event, Context):
            context = event
        elif isinstance(event, Answer):
            assert context is not None
            return context, event
    raise AssertionError("an answer stream ends with an Answer")


class Answerer:
    """Answers from one retriever, with an LLM when given one, else offline."""

    def __init__(
        self,
        retriever: Retriever,
        llm: LLM | None,
        options: AnswerOptions,
        prompts: Prompts | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.options = options
        self.prompts = prompts or Prompts()

    @property
    def name(self) -> str:
        """``offline`` or the LLM's name."""
        return "offline" if self.llm is None else self.llm.name

    def ask(
        self,
        question: str,
        history: Sequence[Message] = (),
        options: AnswerOptions | None = None,
    ) -> tuple[Context, Answer]:
        """The whole answer at once."""
        return collect(self.stream(question, history, options))

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        options: AnswerOptions | None = None,
    ) -> Iterator[Event]:
        """Context, then text, then follow-ups, then the Answer."""
        opts = options or self.options
        began = time.perf_counter()
        timings: dict[str, float] = {}
        asked = self.retrieve(question, history, opts, timings)
        prompt = self._prompt(asked, opts)
        yield Context(asked.question, asked.query, asked.language, tuple(asked.hits), prompt)
        writing = time.perf_counter()
        if prompt:
            written = yield from self._written_by_llm(prompt, asked, opts)
        else:
            written = yield from self._written_offline(asked, opts)
        timings["answer_ms"] = _ms(writing)
        yield from self._finished(asked, written, opts, timings, began)

    def retrieve(
        self,
        question: str,
        history: Sequence[Message],
        options: AnswerOptions,
        timings: dict[str, float] | None = None,
    ) -> Retrieved:
        """The question made searchable alone (with the conversation before it) and the
        passages found for it: the first half of every answer, and what calibration reads."""
        began = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise YomitokiError("the question is empty")
        question = question[:MAX_QUESTION_CHARS]
        language = detect(question)
        turns = tuple(chat.within_budget(history, options.history_tokens))
        query, beside, usage = self._standalone(question, turns, language)
        searched = time.perf_counter()
        top, mode, scope = options.answer_sources, options.mode, options.filters
        visible = functools.partial(self.retriever.visible, filters=scope)
        holds = functools.partial(self.retriever.holds, filters=scope)
        searches = queries.weighed(query, beside, language, visible, holds)
        hits = self.retriever.search_each(searches.each, mode, top, scope)
        if siblings.named_against(query, hits):  # not the plan it names: not its answer
            wider = self.retriever.search_each(searches.each, mode, top * siblings.DEPTH, scope)
            hits = siblings.named_only(query, wider)[:top]
        if timings is not None:
            timings["rewrite_ms"] = round(1000 * (searched - began), 1)
            timings["search_ms"] = _ms(searched)
        return Retrieved(question, query, language, turns, hits, passages(hits), usage, searches)

    def _prompt(self, asked: Retrieved, opts: AnswerOptions) -> tuple[Message, ...]:
        """The messages for the LLM; none when answering offline or from no passage."""
        if self.llm is None or not asked.hits:
            return ()
        given = sources_block(asked.given)
        system = self.prompts.system(asked.language, given, opts.prompt_template)
        return (Message("system", system), *asked.turns, Message("user", asked.question))

    def _written_by_llm(
        self, prompt: tuple[Message, ...], asked: Retrieved, opts: AnswerOptions
    ) -> Generator[Event, None, Written]:
        """The LLM's answer as it streams, its citations checked whole."""
        assert self.llm is not None
        stream = CitationStream(Sources(asked.given))
        parts: list[str] = []
        usage = Usage()
        for piece in self.llm.stream(prompt, opts.temperature, opts.max_tokens):
            if isinstance(piece, Usage):
                usage = usage + piece
            elif text := stream.feed(piece):
                parts.append(text)
                yield TextDelta(text)
        if text := stream.finish():
            parts.append(text)
            yield TextDelta(text)
        return Written("".join(parts).strip(), tuple(stream.removed), None, usage)

    def _written_offline(
        self, asked: Retrieved, opts: AnswerOptions
    ) -> Generator[Event, None, Written]:
        """The sentences that answer, quoted and cited, or "I don't know"."""
        judged = self.judge(asked, opts)
        removed: tuple[str, ...] = ()
        if judged.answers:  # citation-like brackets in the quoted sentences are text
            quoted = (e.text for e in judged.composed.sentences)
            removed = tuple(dict.fromkeys(c for t in quoted for c in citations.find(t)))
        parts = self._offline(asked.query, judged, asked.language)
        for text in parts:
            yield TextDelta(text)
        return Written("".join(parts).strip(), removed, judged.decision(), Usage())

    def _finished(
        self,
        asked: Retrieved,
        written: Written,
        opts: AnswerOptions,
        timings: dict[str, float],
        began: float,
    ) -> Iterator[Event]:
        """The checks on the written answer, follow-ups when asked for, then the Answer."""
        checked = check(written.text, Sources(asked.given))
        dont_know = not checked.kept and (not asked.hits or says_dont_know(written.text))
        support = check_support(written.text, titled(asked.given, asked.hits), opts.min_support)
        usage = asked.usage + written.usage
        followups: tuple[str, ...] = ()
        if opts.followups and self.llm is not None and not dont_know:
            followups, spent = self._followups(asked.question, written.text, asked.language)
            usage = usage + spent
            yield Followups(followups)
        timings["total_ms"] = _ms(began)
        yield Answer(
            text=written.text,
            language=asked.language,
            citations=checked.kept,
            removed_citations=written.removed,
            support=support,
            dont_know=dont_know,
            followups=followups,
            timings=timings,
            usage=usage if self.llm is not None else None,
            answerer=self.name,
            answerability=written.decision,
        )

    def _standalone(
        self, question: str, turns: Sequence[Message], language: Language
    ) -> tuple[str, str | None, Usage]:
        """The question made searchable alone, a query searched beside it (offline), and
        what rewriting cost."""
        if not turns:
            return question, None, Usage()
        if self.llm is None:
            searched = chat.standalone_query(question, turns)
            return searched.query, searched.beside, Usage()
        messages = [
            Message("system", self.prompts.render("rewrite", language)),
            Message("user", chat.transcript(turns, question)),
        ]
        text, usage = self.llm.complete(messages, temperature=0.0, max_tokens=100)
        lines = [line.strip().strip("\"'「」") for line in text.splitlines() if line.strip()]
        return (lines[0] if lines else question), None, usage

    def judge(self, asked: Retrieved, opts: AnswerOptions) -> Judged:
        """What the offline answerer would quote from what was found, and whether it answers."""
        query, hits, language = asked.query, asked.hits, asked.language
        # Every passage in the other language: words cannot meet, meanings can.
        across = bool(hits) and all(has_japanese(h.text) != (language == "ja") for h in hits)
        reading = extractive.read(query, hits)
        # Words weigh as they do among the documents the asker may read, nothing else.
        idf = functools.partial(self.retriever.idf, filters=opts.filters)
        embedder = self.retriever.embedder
        vectors = scorer.Remembering(embedder)
        head = scorer.for_model(embedder.model_id) if opts.sentence_scorer else None
        statements = extractive.sentences(hits) if across else []  # read once, for every part

        # Across languages the scorer chooses the sentences; within one, the words do (they
        # chose better there: bench/results/scorer_uses_choosing_everywhere.json) and the
        # scorer's probability only informs answerability.
        def compose(
            question: str, reading: extractive.Reading, crossing: crosslingual.Crossing
        ) -> extractive.Composed:
            rescore = None if head is None else scorer.rescorer(question, vectors, head, across)
            if across:
                asking = vectors.query(question)
                return extractive.compose_across_languages(
                    question, statements, vectors.passages, asking, rescore, crossing.terms
                )
            return extractive.compose(question, hits, idf, reading, rescore)

        composed = compose(query, reading, asked.searches.crossing)
        if split := asked.searches.parts:  # asking two things: each part's best sentence leads
            each = [compose(p, extractive.read(p, hits), terms) for p, terms in split]
            composed = parts.answered_each(composed, each)
        crossing = asked.searches.crossing
        written = crossing.found(" ".join(h.text for h in hits)) if crossing.words else None
        evidence = composed.evidence
        if across and crossing.words:  # the best sentence's share, as words are within one
            evidence = crossing.covered(f"{e.titled} {e.text}" for e in statements)
        wanted = None if across else quantity_asked(query)  # its patterns read its language
        unstated = wanted is not None and not any(wanted.search(e.text) for e in composed.sentences)
        found = answerability.signals(
            reading, hits, evidence, idf, language, across, composed.answers, written, unstated
        )
        probability = opts.answerability.probability(found)
        floor = opts.answerability.threshold
        if opts.min_answerability is not None:
            floor = opts.min_answerability
        answers = not composed.dont_know and probability >= floor
        return Judged(composed, found, probability, floor, answers, reading.unnamed)

    def _offline(self, query: str, judged: Judged, language: Language) -> list[str]:
        if not judged.answers:
            return [self.prompts.dont_know(language, judged.unnamed)]
        lead_in = self.prompts.text("quoted", language)
        # A question asking how much, or whether, is not answered by a document's title.
        topical = quantity_asked(query) is not None or asks_whether(query)
        unit = unit_asked(query)
        asked = Asked(topical, topic_of(query), unit, period_asked(query))
        return quoting.render(judged.composed, language, lead_in, asked)

    def _followups(
        self, question: str, answer: str, language: Language
    ) -> tuple[tuple[str, ...], Usage]:
        assert self.llm is not None
        prompt = self.prompts.render("followups", language, question=question, answer=answer)
        text, usage = self.llm.complete([Message("user", prompt)], temperature=0.7)
        return chat.parse_followups(text), usage


def _ms(since: float) -> float:
    return round(1000 * (time.perf_counter() - since), 1)
