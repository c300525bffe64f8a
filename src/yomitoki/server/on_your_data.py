"""Azure OpenAI "On Your Data", spoken by yomitoki: the request a client built on it sends
(``data_sources`` beside the chat messages), mapped onto yomitoki's options, and the response
it expects (``[docN]`` references, ``message.context`` with ``citations`` and ``intent``).

Microsoft retired On Your Data on 2026-10-14; its clients move here by changing only the
endpoint and the key. docs/on-your-data.md has the field-by-field table.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from yomitoki.errors import YomitokiError
from yomitoki.rag.answer import AnswerOptions
from yomitoki.rag.passages import passages
from yomitoki.server.openai_shapes import whole
from yomitoki.server.protocol import ChatMessage, RequestBody
from yomitoki.text.citations import substitute
from yomitoki.types import Answer, Context

#: The api-versions whose On Your Data shape this route speaks.
API_VERSIONS = (
    "2024-02-01", "2024-06-01", "2024-10-21", "2024-02-15-preview", "2024-03-01-preview",
    "2024-04-01-preview", "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview",
    "2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview",
)  # fmt: skip
#: The data source types On Your Data documented; each is answered from yomitoki's index.
SOURCE_TYPES = Literal[
    "azure_search", "azure_cosmos_db", "elasticsearch", "pinecone", "mongo_db",
    "azure_ml_index",
]  # fmt: skip
#: ``strictness`` 1 (answer readily) to 5 (refuse readily) as the probability the offline
#: answerer must reach to answer; 3, On Your Data's default, keeps the calibrated threshold.
STRICTNESS = {1: 0.05, 2: 0.2, 3: None, 4: 0.7, 5: 0.9}
#: What ``in_scope: false`` adds to the LLM's instructions.
OUT_OF_SCOPE = (
    "If the sources do not answer the question, you may answer from general knowledge; "
    "say that the answer is not from the documents."
)
# The filter subset: category eq 'x', category ne 'x', search.in(category, 'a,b'), joined by and.
_EQ = re.compile(r"category\s+(eq|ne)\s+'((?:[^']|'')*)'")
_IN = re.compile(r"search\.in\(\s*category\s*,\s*'((?:[^']|'')*)'\s*(?:,\s*'([^']*)'\s*)?\)")
_AND = re.compile(r"\s+and\s+")


class SourceParameters(BaseModel):
    """A data source's ``parameters``: the ones yomitoki has a meaning for, and the rest
    (the Azure service's endpoint, index, field mapping, ...) accepted without effect."""

    model_config = ConfigDict(extra="allow")

    top_n_documents: int | None = Field(default=None, ge=1, le=50)
    in_scope: bool | None = None
    strictness: int | None = Field(default=None, ge=1, le=5)
    role_information: str | None = Field(default=None, max_length=20_000)
    filter: str | None = Field(default=None, max_length=2_000)
    include_contexts: list[str] | None = Field(default=None, max_length=10)
    #: The Azure service's credentials: accepted, never used, logged or echoed.
    authentication: dict[str, Any] | None = Field(default=None, exclude=True, repr=False)

    def without_effect(self) -> list[str]:
        """The parameters given that change nothing here, by name (never their values)."""
        given = {"authentication"} & self.model_fields_set
        return sorted((self.model_extra or {}).keys() | given)


class DataSource(BaseModel):
    """One ``data_sources`` entry."""

    model_config = ConfigDict(extra="forbid")

    type: SOURCE_TYPES
    parameters: SourceParameters = Field(default_factory=SourceParameters)


class OnYourDataRequest(RequestBody):
    """``POST /openai/deployments/{deployment}/chat/completions``, as On Your Data clients
    send it; the chat completion's other options are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    data_sources: list[DataSource] | None = Field(default=None, min_length=1, max_length=1)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)


def categories_of(expression: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The categories an On Your Data ``filter`` admits and excludes; YomitokiError (400)
    for an expression outside the subset yomitoki reads."""
    admitted: list[str] = []
    excluded: list[str] = []
    for part in _AND.split(expression.strip()):
        if eq := _EQ.fullmatch(part.strip()):
            value = eq.group(2).replace("''", "'")
            (admitted if eq.group(1) == "eq" else excluded).append(value)
        elif within := _IN.fullmatch(part.strip()):
            separator = within.group(2) or ","
            admitted += [v.strip() for v in within.group(1).replace("''", "'").split(separator)]
        else:
            raise YomitokiError(
                "filter: yomitoki reads category eq 'X', category ne 'X' and "
                "search.in(category, 'A,B'), joined by 'and' (docs/on-your-data.md)"
            )
    return tuple(v for v in admitted if v), tuple(v for v in excluded if v)


def options_for(base: AnswerOptions, source: DataSource, has_llm: bool) -> AnswerOptions:
    """``base`` (already the asker's) with the data source's parameters applied."""
    given = source.parameters
    changes: dict[str, Any] = {}
    if given.top_n_documents is not None:
        changes["answer_sources"] = given.top_n_documents
    if given.strictness is not None:
        changes["min_answerability"] = STRICTNESS[given.strictness]
    if given.filter:
        admitted, excluded = categories_of(given.filter)
        changes["filters"] = replace(base.filters, categories=admitted, exclude_categories=excluded)
    if has_llm and (given.role_information or given.in_scope is False):
        # The demo's rule: ">>>text" adds text to the shipped answer prompt.
        rules = [given.role_information] if given.role_information else []
        rules += [OUT_OF_SCOPE] if given.in_scope is False else []
        changes["prompt_template"] = ">>>" + "\n\n".join(rules)
    return replace(base, **changes)


def ignored(source: DataSource, has_llm: bool) -> list[str]:
    """The parameters given that change nothing in this answerer, by name."""
    names = source.parameters.without_effect()
    if not has_llm:
        names += sorted({"role_information", "in_scope"} & source.parameters.model_fields_set)
    return names


class References:
    """The passages of an answer as On Your Data numbers them: ``[doc1]`` is the first."""

    def __init__(self, context: Context, base_url: str, ignored: list[str]) -> None:
        given = passages(context.hits)
        titles = {c: h.title for h in context.hits for c in h.locations()}
        self.numbers = {citation: n for n, citation in enumerate(given, start=1)}
        self.citations = [
            {
                "content": "\n".join(texts),
                "title": titles.get(citation) or citation.split("#")[0],
                "url": f"{base_url}/content/{quote(citation.split('#')[0])}"
                + (f"#{citation.split('#', 1)[1]}" if "#" in citation else ""),
                "filepath": citation.split("#")[0],
                "chunk_id": str(n - 1),
            }
            for n, (citation, texts) in enumerate(given.items(), start=1)
        ]
        self.intent = json.dumps([context.query], ensure_ascii=False)
        #: The data source's parameters that changed nothing here, by name.
        self.ignored = ignored

    def context(self, every: bool) -> dict[str, Any]:
        """``message.context``; ``every`` adds ``all_retrieved_documents``."""
        out: dict[str, Any] = {"citations": self.citations, "intent": self.intent}
        if every:
            out["all_retrieved_documents"] = self.citations
        if self.ignored:  # yomitoki's own: accepted for compatibility, without effect here
            out["ignored_parameters"] = self.ignored
        return out

    def rewrite(self, text: str) -> str:
        """``text`` with each citation as ``[docN]`` (the answer's citations are checked
        already: each names a passage given)."""

        def numbered(named: list[str], inside: str) -> str:
            return "".join(f"[doc{self.numbers[c]}]" for c in named if c in self.numbers)

        return substitute(text, numbered)


def completion(
    context: Context, answer: Answer, references: References | None, model: str, every: bool
) -> dict[str, Any]:
    """A whole On Your Data chat completion."""
    message: dict[str, Any] = {"role": "assistant", "end_turn": True}
    message["content"] = references.rewrite(answer.text) if references else answer.text
    if references is not None:
        message["context"] = references.context(every)
        if answer.removed_citations:  # yomitoki's own: citations to no passage, removed
            message["context"]["removed_citations"] = list(answer.removed_citations)
    return whole(context, answer, model, message)
