"""Request models validated once at the edge, and the wire shapes of the responses.

``/chat`` speaks azure-search-openai-demo's chat protocol, so its clients and
ai-rag-chat-evaluator work unchanged; ``/v1/chat/completions`` speaks OpenAI's.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yomitoki.index.search import Filters, Mode
from yomitoki.rag.answer import AnswerOptions, passages
from yomitoki.types import Answer, Context, Message

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

    def apply(self, base: AnswerOptions) -> AnswerOptions:
        """``base`` with these overrides on top."""
        changes: dict[str, Any] = {}
        if self.retrieval_mode is not None:
            changes["mode"] = _MODES[self.retrieval_mode]
        if self.top is not None:
            changes["sources"] = self.top
        if self.include_category is not None or self.exclude_category is not None:
            changes["filters"] = Filters(
                _categories(self.include_category), _categories(self.exclude_category)
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


class ChatMessage(BaseModel):
    """One message of a conversation."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=100_000)


class ChatContext(BaseModel):
    """The demo's request ``context``."""

    model_config = ConfigDict(extra="forbid")

    overrides: Overrides = Field(default_factory=Overrides)


class ChatRequest(BaseModel):
    """``POST /chat`` and ``/chat/stream``."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    context: ChatContext = Field(default_factory=ChatContext)
    session_state: Any = None

    def turns(self) -> tuple[str, list[Message]]:
        """The latest user question and the conversation before it."""
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's question")
        history = [Message(m.role, m.content) for m in self.messages[:-1] if m.role != "system"]
        return self.messages[-1].content, history


class CompletionRequest(BaseModel):
    """``POST /v1/chat/completions``: what OpenAI clients send; unknown extras are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = "yomitoki"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)


def thoughts(context: Context, answer: Answer | None) -> list[dict[str, Any]]:
    """The thought process in the demo's shape: titled steps with details."""
    steps: list[dict[str, Any]] = [
        {"title": "Search query", "description": context.query,
         "props": {"question": context.question, "language": context.language}},
        {"title": "Search results",
         "description": [
             {"citation": h.citation(), "score": round(h.score, 4),
              "legs": {k: {"rank": v.rank, "score": round(v.score, 4)} for k, v in h.legs.items()},
              "text": h.text}
             for h in context.hits
         ]},
    ]  # fmt: skip
    if context.prompt:
        steps.append({"title": "Prompt", "description": [
            {"role": m.role, "content": m.content} for m in context.prompt
        ]})  # fmt: skip
    if answer is not None:
        steps.append({"title": "Answer checks", "description": {
            "removed_citations": list(answer.removed_citations),
            "unsupported": [s.sentence for s in answer.unsupported],
            "dont_know": answer.dont_know,
        }, "props": {"timings_ms": answer.timings, "answerer": answer.answerer,
                     "usage": None if answer.usage is None else {
                         "prompt_tokens": answer.usage.prompt_tokens,
                         "completion_tokens": answer.usage.completion_tokens}}})  # fmt: skip
    return steps


def data_points(context: Context) -> dict[str, Any]:
    """The passages given to the answerer: ``citation: text`` lines and the citations."""
    given = passages(context.hits)
    return {
        "text": [f"{citation}: {text}" for citation, texts in given.items() for text in texts],
        "citations": list(given),
    }


def response_context(
    context: Context, answer: Answer | None, followups: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The demo's response ``context``."""
    return {
        "data_points": data_points(context),
        "thoughts": thoughts(context, answer),
        "followup_questions": list(followups),
        "citations": list(answer.citations) if answer else [],
    }


def completion(answer: Answer, model: str) -> dict[str, Any]:
    """A whole ``chat.completion`` whose content is the cited answer."""
    usage = answer.usage
    return {
        "id": f"chatcmpl-yomitoki-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": answer.text}}],
        "usage": {
            "prompt_tokens": usage.prompt_tokens if usage else 0,
            "completion_tokens": usage.completion_tokens if usage else 0,
            "total_tokens": (usage.prompt_tokens + usage.completion_tokens) if usage else 0,
        },
        "citations": list(answer.citations),
    }  # fmt: skip


def completion_chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of a streamed completion."""
    return {
        "id": "chatcmpl-yomitoki",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
