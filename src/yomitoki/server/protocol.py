"""Request models validated once at the edge, and the shapes of the demo's responses
(OpenAI's are in ``server.openai_shapes``).

``/chat`` speaks azure-search-openai-demo's chat protocol, so its clients and
ai-rag-chat-evaluator work unchanged; ``/v1/chat/completions`` speaks OpenAI's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yomitoki import serialize
from yomitoki.ingest.parsers import format_of
from yomitoki.rag.answer import AnswerOptions
from yomitoki.rag.passages import passages
from yomitoki.server.thoughts import thoughts
from yomitoki.text.cited import Mark, Run, marked
from yomitoki.types import Answer, Context, Message, Mode

#: How deep a request's JSON may nest (the deepest real request is about six levels).
MAX_DEPTH = 32


def _readable(text: str) -> str:
    """``text`` as it can be written back in a message (a lone surrogate becomes '?')."""
    return text.encode("utf-8", "replace").decode("utf-8")


def check_json(value: Any) -> Any:
    """``value`` (a request's JSON) when every string in it is valid Unicode and it nests at
    most ``MAX_DEPTH`` levels; otherwise ValueError, which the edge answers with 400."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the request nests deeper than {MAX_DEPTH} levels")
        texts = [item] if isinstance(item, str) else []
        if isinstance(item, dict):
            texts += [k for k in item if isinstance(k, str)]
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
        for text in texts:
            if _readable(text) != text:
                raise ValueError(
                    "the request holds text that is not valid Unicode (a lone surrogate such "
                    "as \\ud800); send UTF-8 text"
                )
    return value


class RequestBody(BaseModel):
    """A request body: its JSON is checked whole (``check_json``) before its fields."""

    @model_validator(mode="before")
    @classmethod
    def _sound(cls, data: Any) -> Any:
        return check_json(data)


# The demo's names for the retrieval modes, and ours.
_MODES = {"text": Mode.KEYWORD, "vectors": Mode.VECTOR, "hybrid": Mode.HYBRID,
          "keyword": Mode.KEYWORD, "vector": Mode.VECTOR}  # fmt: skip


class Overrides(BaseModel):
    """Per-request choices. Unknown keys are refused (400), never ignored."""

    model_config = ConfigDict(extra="forbid")

    retrieval_mode: Literal["text", "vectors", "hybrid", "keyword", "vector"] | None = None
    top: int | None = Field(default=None, ge=1, le=50)
    include_category: str | None = None
    exclude_category: str | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    suggest_followup_questions: bool | None = None
    prompt_template: str | None = Field(default=None, max_length=20_000)
    # Sent by azure-search-openai-demo clients and ai-rag-chat-evaluator; they select Azure
    # features yomitoki does not have, so they are accepted and have no effect.
    semantic_ranker: bool | None = None
    semantic_captions: bool | None = None
    minimum_search_score: float | None = None
    minimum_reranker_score: float | None = None
    use_oid_security_filter: bool | None = None
    use_groups_security_filter: bool | None = None
    vector_fields: list[str] | str | None = None
    use_gpt4v: bool | None = None
    gpt4v_input: str | None = None
    seed: int | None = None
    language: str | None = None
    # Read by the demo's current backend for features yomitoki has no counterpart of (agentic
    # retrieval, web and SharePoint sources, multimodal inputs, query rewriting knobs): also
    # accepted and listed in the thought process as without effect.
    use_agentic_retrieval: bool | None = None
    use_agentic_knowledgebase: bool | None = None
    use_web_source: bool | None = None
    use_sharepoint_source: bool | None = None
    retrieval_reasoning_effort: str | None = None
    reasoning_effort: str | None = None
    query_rewriting: bool | None = None
    max_subqueries: int | None = None
    results_merge_strategy: str | None = None
    send_text_sources: bool | None = None
    send_image_sources: bool | None = None
    search_text_embeddings: bool | None = None
    search_image_embeddings: bool | None = None
    llm_inputs: str | None = None

    def ignored(self, has_llm: bool) -> list[str]:
        """The overrides given that change nothing in this answerer, by name."""
        used = {"retrieval_mode", "top", "include_category", "exclude_category"}
        if has_llm:
            used |= {"temperature", "suggest_followup_questions", "prompt_template"}
        given = self.model_dump(exclude_none=True)
        return sorted(name for name in given if name not in used)

    def apply(self, base: AnswerOptions) -> AnswerOptions:
        """``base`` with these overrides on top."""
        changes: dict[str, Any] = {}
        if self.retrieval_mode is not None:
            changes["mode"] = _MODES[self.retrieval_mode]
        if self.top is not None:
            changes["answer_sources"] = self.top
        if self.include_category is not None or self.exclude_category is not None:
            changes["filters"] = replace(
                base.filters,
                categories=_categories(self.include_category),
                exclude_categories=_categories(self.exclude_category),
            )
        if self.temperature is not None:
            changes["temperature"] = self.temperature
        if self.suggest_followup_questions is not None:
            changes["followups"] = self.suggest_followup_questions
        if self.prompt_template is not None:
            changes["prompt_template"] = self.prompt_template
        return replace(base, **changes)


def _categories(value: str | None) -> tuple[str, ...]:
    # The demo sends "All" for no restriction.
    if not value or value.lower() == "all":
        return ()
    return tuple(c.strip() for c in value.split(",") if c.strip())


class TextPart(BaseModel):
    """One part of an array-of-parts ``content``, as OpenAI's SDK sends it."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["text", "input_text"]
    text: str = Field(max_length=100_000)


class ChatMessage(BaseModel):
    """One message of a conversation; ``content`` is a string or a list of text parts."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer"]
    content: str | list[TextPart] = Field(max_length=100_000)

    @property
    def text(self) -> str:
        """The content as one string: text parts joined by newlines."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content)


class ChatContext(BaseModel):
    """The demo's request ``context``."""

    model_config = ConfigDict(extra="forbid")

    overrides: Overrides = Field(default_factory=Overrides)
    # The demo's backend fills this from the signed-in user; a client may send it, and it
    # grants nothing here (identities come from keys, never from the request body).
    auth_claims: dict[str, Any] | None = None


class ChatRequest(RequestBody):
    """``POST /chat`` and ``/chat/stream``."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    context: ChatContext = Field(default_factory=ChatContext)
    session_state: Any = None
    # The demo's clients say whether they want a stream; the route decides that here.
    stream: bool | None = None

    def turns(self) -> tuple[str, list[Message]]:
        """The latest user question and the conversation before it."""
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's question")
        history = [
            Message(m.role, m.text) for m in self.messages[:-1] if m.role in ("user", "assistant")
        ]
        return self.messages[-1].text, history


class StreamOptions(BaseModel):
    """OpenAI's ``stream_options``: ``include_usage`` adds a last chunk with the usage."""

    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class CompletionRequest(RequestBody):
    """``POST /v1/chat/completions``: what OpenAI clients send; unknown extras are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(default="yomitoki", max_length=256)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)


def describe_errors(errors: Sequence[Any]) -> str:
    """Validation errors in words: where, then what is wrong (malformed JSON says so)."""
    problems = []
    for e in errors:
        if e.get("type") == "json_invalid":
            reason = (e.get("ctx") or {}).get("error", "malformed JSON")
            problems.append(f"the body is not valid JSON: {reason} (at character {e['loc'][-1]})")
            continue
        where = ".".join(str(p) for p in e["loc"] if p != "body") or "body"
        problems.append(_readable(f"{where}: {e['msg']}"))
    return "; ".join(problems)


def data_points(context: Context) -> dict[str, Any]:
    """The passages given to the answerer: ``citation: text`` lines and the citations (the
    demo's), the same passages as objects, the page ``/page`` draws for each citation it can
    draw, and the OCR confidence of those read from scans (yomitoki's own)."""
    given = passages(context.hits)
    return {
        "text": [f"{citation}: {text}" for citation, texts in given.items() for text in texts],
        "citations": list(given),
        "passages": serialize.passages(given),
        "pages": {citation: drawn for citation in given if (drawn := drawn_page(citation))},
        # yomitoki's own: the citations read from scans, with OCR's confidence (0 to 1).
        "ocr": {
            citation: hit.ocr
            for hit in context.hits
            if hit.ocr is not None
            for citation in hit.locations()
            if citation in given
        },
    }


def cited_sentences(parts: Sequence[Run | Mark]) -> dict[str, str]:
    """Each citation of an answer (as ``text.cited.marked`` parts) with the first sentence
    that cites it, its citations left out: what a viewer highlights on the cited page."""
    sentences: dict[str, str] = {}
    for part in parts:
        if isinstance(part, Mark):
            for citation in part.citations:
                sentences.setdefault(citation, part.sentence)
    return sentences


def drawn_page(citation: str) -> dict[str, Any] | None:
    """What ``/page`` draws for ``citation``: ``{"page", "format"}``, a PDF's cited page or a
    scan's frame (its first when none is cited); None for what it cannot draw."""
    name, _, anchor = citation.partition("#")
    page = int(anchor[5:]) if anchor.startswith("page=") and anchor[5:].isdigit() else None
    kind = format_of(Path(name))
    if kind == "image":
        return {"page": page or 1, "format": kind}
    return {"page": page, "format": kind} if kind == "pdf" and page else None


def response_context(
    context: Context,
    answer: Answer | None,
    followups: tuple[str, ...] = (),
    ignored: Sequence[str] = (),
) -> dict[str, Any]:
    """The demo's response ``context``, and yomitoki's ``cited_sentences`` (each citation's
    first sentence in the answer) and ``answer_parts`` (the answer as text runs and citation
    marks, each mark with the sentence it closes: what a viewer shows and highlights), both
    read from the one division of the answer into marks."""
    parts = marked(answer.text) if answer else []
    return {
        "data_points": data_points(context),
        "thoughts": thoughts(context, answer, ignored),
        "followup_questions": list(followups),
        "citations": list(answer.citations) if answer else [],
        "cited_sentences": cited_sentences(parts),
        "answer_parts": answer_parts(parts),
    }


def answer_parts(parts: Sequence[Run | Mark]) -> list[dict[str, Any]]:
    """An answer's parts as ``{"text"}`` runs and ``{"citations", "sentence"}`` marks."""
    return [
        {"citations": list(p.citations), "sentence": p.sentence}
        if isinstance(p, Mark)
        else {"text": p.text}
        for p in parts
    ]


#: The demo's name of each retrieval mode (the ``retrieval_mode`` override a client sends).
DEMO_MODES = {mode: name for name, mode in reversed(_MODES.items())}
