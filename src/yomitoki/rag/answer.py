"""Questions in, cited answers out, as one stream of typed events.

``Answerer.stream`` yields a ``Context`` (query, hits, prompt) first, then ``TextDelta``s,
then ``Followups`` when asked for, and an ``Answer`` last. The CLI and the HTTP API both
consume exactly this stream. Citations in the text are checked against the passages given to
the answerer before any text is released, and every cited sentence is checked for support.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from string import Template

from yomitoki.backends.base import LLM
from yomitoki.errors import YomitokiError
from yomitoki.index.engine import Filters
from yomitoki.rag import answerability, chat, extractive
from yomitoki.rag.answerability import Answerability, Signals
from yomitoki.rag.asked import asks_whether, quantity_asked, topic_of
from yomitoki.rag.citations import CitationStream, Sources, check
from yomitoki.rag.prompts import Prompts, quoted
from yomitoki.rag.rerank import Retriever
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
MAX_FOLLOWUPS = 3
_DONT_KNOW = re.compile(r"^\W*(?:i\s+don['’]t\s+know|わかりません|分かりません)", re.IGNORECASE)


def says_dont_know(text: str) -> bool:
    """Whether an LLM's reply opens with "I don't know" (or わかりません)."""
    return bool(_DONT_KNOW.match(text))


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """How answers are written; ``yomitoki.wiring`` builds it from the settings, and the HTTP
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
    answerability: Answerability = field(default_factory=answerability.load)
    #: A probability to answer from instead of the calibration's own threshold.
    min_answerability: float | None = None
    filters: Filters = field(default_factory=Filters)
    #: azure-search-openai-demo's rule: ``>>>text`` inserts text into the shipped answer
    #: prompt; any other template replaces it (the sources fill ``$sources`` or follow it).
    prompt_template: str | None = None


def passages(hits: Sequence[Hit]) -> dict[str, list[str]]:
    """Each citation the hits support, with its text: a page-crossing hit split at its pages."""
    out: dict[str, list[str]] = {}
    for hit in hits:
        cuts = [0, *(offset for offset, _ in hit.page_breaks), len(hit.text)]
        for start, end in itertools.pairwise(cuts):
            text = hit.text[start:end].strip()
            texts = out.setdefault(hit.citation_at(start), [])
            if text and text not in texts:
                texts.append(text)
    return out


def titled(given: dict[str, list[str]], hits: Sequence[Hit]) -> dict[str, list[str]]:
    """``given`` with each document's title beside its passages: a sentence may name it."""
    out = {citation: list(texts) for citation, texts in given.items()}
    for hit in hits:
        if not (title := hit.title):
            continue
        for citation in hit.locations():
            texts = out.get(citation)
            if texts is not None and title not in texts:
                texts.append(title)
    return out


def sources_block(given: dict[str, list[str]]) -> str:
    """The sources as the prompt quotes them: each between ``<source name="CITATION">`` and
    ``</source>``, so the model can tell the documents' words from its instructions."""
    return "\n\n".join(
        f'<source name="{quoted(citation)}">\n'
        + "\n".join(quoted(t) for t in texts)
        + "\n</source>"
        for citation, texts in given.items()
    )


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

    def decision(self) -> dict[str, float]:
        """The signals, the probability and the threshold, as the answer reports them."""
        signals = {name: round(value, 4) for name, value in asdict(self.signals).items()}
        return {
            **signals,
            "probability": round(self.probability, 4),
            "threshold": round(self.threshold, 4),
        }


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
        question = " ".join(question.split())
        if not question:
            raise YomitokiError("the question is empty")
        question = question[:MAX_QUESTION_CHARS]
        language = detect(question)
        turns = chat.within_budget(history, opts.history_tokens)
        usage = Usage()
        timings: dict[str, float] = {}

        query, spent = self._standalone(question, turns, language)
        usage = usage + spent
        timings["rewrite_ms"] = _ms(began)
        searched = time.perf_counter()
        hits = self.retriever.search(query, opts.mode, opts.answer_sources, opts.filters)
        timings["search_ms"] = _ms(searched)
        given = passages(hits)
        sources = Sources(given)

        writing = time.perf_counter()
        prompt: tuple[Message, ...] = ()
        if self.llm is not None and hits:
            system = self._system_prompt(language, sources_block(given), opts.prompt_template)
            prompt = (Message("system", system), *turns, Message("user", question))
        yield Context(question, query, language, tuple(hits), prompt)

        parts: list[str] = []
        removed: tuple[str, ...] = ()
        decision: dict[str, float] | None = None
        if prompt:
            assert self.llm is not None
            stream = CitationStream(sources)
            for piece in self.llm.stream(prompt, opts.temperature, opts.max_tokens):
                if isinstance(piece, Usage):
                    usage = usage + piece
                    continue
                if text := stream.feed(piece):
                    parts.append(text)
                    yield TextDelta(text)
            if text := stream.finish():
                parts.append(text)
                yield TextDelta(text)
            removed = tuple(stream.removed)
        else:
            judged = self.judge(query, hits, language, opts)
            decision = judged.decision()
            if judged.answers:  # citation-like brackets in the quoted sentences are text
                quoted = (e.text for e in judged.composed.sentences)
                removed = tuple(dict.fromkeys(c for t in quoted for c in citations.find(t)))
            for text in self._offline(query, judged, language):
                parts.append(text)
                yield TextDelta(text)
        timings["answer_ms"] = _ms(writing)

        text = "".join(parts).strip()
        checked = check(text, sources)
        dont_know = not checked.kept and (not hits or says_dont_know(text))
        support = check_support(text, titled(given, hits), opts.min_support)

        followups: tuple[str, ...] = ()
        if opts.followups and self.llm is not None and not dont_know:
            followups, spent = self._followups(question, text, language)
            usage = usage + spent
            yield Followups(followups)
        timings["total_ms"] = _ms(began)
        yield Answer(
            text=text,
            language=language,
            citations=checked.kept,
            removed_citations=removed,
            support=support,
            dont_know=dont_know,
            followups=followups,
            timings=timings,
            usage=usage if self.llm is not None else None,
            answerer=self.name,
            answerability=decision,
        )

    def _system_prompt(self, language: Language, sources: str, custom: str | None) -> str:
        """The demo's rule: ``>>>text`` adds text to the shipped prompt, any other template
        replaces it. The quoted sources go where a replacement says ``$sources``, else after it.
        """
        if not custom:
            return self.prompts.render("answer", language, sources=sources)
        if custom.startswith(">>>"):
            rules = self.prompts.render("answer", language, sources="$sources")
            head, found, tail = rules.rpartition("$sources")
            if not found:
                head, tail = rules, ""
            return f"{head.rstrip()}\n\n{custom[3:].strip()}\n\n{sources}{tail}"
        if "$sources" in custom:
            return Template(custom).safe_substitute(sources=sources)
        return f"{custom}\n\n{sources}"

    def _standalone(
        self, question: str, turns: Sequence[Message], language: Language
    ) -> tuple[str, Usage]:
        if not turns:
            return question, Usage()
        if self.llm is None:
            return chat.standalone_query(question, turns), Usage()
        messages = [
            Message("system", self.prompts.render("rewrite", language)),
            Message("user", chat.transcript(turns, question)),
        ]
        text, usage = self.llm.complete(messages, temperature=0.0, max_tokens=100)
        lines = [line.strip().strip("\"'「」") for line in text.splitlines() if line.strip()]
        return (lines[0] if lines else question), usage

    def judge(
        self, query: str, hits: Sequence[Hit], language: Language, opts: AnswerOptions
    ) -> Judged:
        """What the offline answerer would quote from ``hits``, and whether they answer."""
        # Every passage in the other language: words cannot meet, meanings can.
        across = bool(hits) and all(has_japanese(h.text) != (language == "ja") for h in hits)
        reading = extractive.read(query, hits)
        # Words weigh as they do among the documents the asker may read, nothing else.
        idf = functools.partial(self.retriever.idf, filters=opts.filters)
        if across:
            embedder = self.retriever.embedder
            composed = extractive.compose_across_languages(query, hits, embedder)
        else:
            composed = extractive.compose(query, hits, idf, reading)
        found = answerability.signals(reading, hits, composed.evidence, idf, language, across)
        probability = opts.answerability.probability(found)
        floor = opts.answerability.threshold
        if opts.min_answerability is not None:
            floor = opts.min_answerability
        answers = not composed.dont_know and probability >= floor
        return Judged(composed, found, probability, floor, answers)

    def _offline(self, query: str, judged: Judged, language: Language) -> list[str]:
        if not judged.answers:
            return [self.prompts.text("dont_know", language)]
        lead_in = self.prompts.text("quoted", language)
        # A question asking how much, or whether, is not answered by a document's title.
        topical = quantity_asked(query) is not None or asks_whether(query)
        return extractive.render(judged.composed, language, lead_in, topical, topic_of(query))

    def _followups(
        self, question: str, answer: str, language: Language
    ) -> tuple[tuple[str, ...], Usage]:
        assert self.llm is not None
        prompt = self.prompts.render("followups", language, question=question, answer=answer)
        text, usage = self.llm.complete([Message("user", prompt)], temperature=0.7)
        return parse_followups(text), usage


def _ms(since: float) -> float:
    return round(1000 * (time.perf_counter() - since), 1)
