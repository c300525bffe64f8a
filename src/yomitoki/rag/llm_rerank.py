"""A second stage through the configured chat model: it rates every passage in one call.

Listwise in one request (the passages numbered and quoted as untrusted data), pointwise in
what it returns: a JSON array of 0-10 ratings, one a passage. A reply that is not such an
array rates every passage the same, so the blend keeps the first stage's order; a failing
model fails the search, as it would fail the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from yomitoki.backends.base import LLM, Reranker, RerankerInputs
from yomitoki.errors import ConfigError
from yomitoki.rag.prompts import Prompts, quoted
from yomitoki.text.language import detect
from yomitoki.types import Message

_ARRAY = re.compile(r"\[[^\[\]]*\]")
#: Characters of a passage the model is shown.
PASSAGE_CHARS = 1500


class LLMReranker(Reranker):
    """Rates passages 0-10 with the configured LLM; scores are the ratings over 10."""

    name = "llm"

    def __init__(self, llm: LLM, prompts: Prompts | None = None) -> None:
        self.llm = llm
        self.prompts = prompts or Prompts()

    @classmethod
    def configured(cls, inputs: RerankerInputs) -> LLMReranker:
        """The reranker over the ``llm`` setting's model, with the prompt templates given."""
        if inputs.llm is None:
            raise ConfigError("reranker 'llm' rates passages with the llm setting's model; set llm")
        return cls(inputs.llm, Prompts(inputs.prompt_dir))

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        sources = "\n\n".join(
            f'<source name="{n}">\n{quoted(p[:PASSAGE_CHARS])}\n</source>'
            for n, p in enumerate(passages, start=1)
        )
        prompt = self.prompts.render(
            "rerank", detect(query), question=query, count=str(len(passages)), sources=sources
        )
        text, _ = self.llm.complete([Message("user", prompt)], temperature=0.0, max_tokens=400)
        return ratings(text, len(passages))


def ratings(text: str, count: int) -> list[float]:
    """The reply's ratings as scores in [0, 1]; all equal when it is not ``count`` numbers."""
    for match in _ARRAY.finditer(text):
        try:
            values = json.loads(match.group())
        except json.JSONDecodeError:
            continue
        if (
            isinstance(values, list)
            and len(values) == count
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            return [min(max(float(v), 0.0), 10.0) / 10.0 for v in values]
    return [0.0] * count
