"""The LLM alone, prompt only: no retrieval, no sources, no citations.

What an organisation would get by prompting a general model instead of grounding it in its
own documents; ``yomitoki eval answers --compare`` sets it beside retrieval + LLM and the
offline answerer, on the same questions.
"""

from __future__ import annotations

import time

from yomitoki.backends.base import LLM
from yomitoki.errors import YomitokiError
from yomitoki.rag.answer import MAX_QUESTION_CHARS, says_dont_know
from yomitoki.rag.prompts import Prompts
from yomitoki.text.language import detect
from yomitoki.types import Answer, Context, Message


class ClosedBook:
    """Asks the LLM the question with a short instruction and nothing else."""

    def __init__(self, llm: LLM, temperature: float, max_tokens: int, prompts: Prompts) -> None:
        self.llm = llm
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.prompts = prompts

    @property
    def name(self) -> str:
        """The LLM's name, marked as used without documents."""
        return f"{self.llm.name} (no retrieval)"

    def ask(self, question: str) -> tuple[Context, Answer]:
        """The LLM's answer to ``question``, with no passage to cite."""
        began = time.perf_counter()
        question = " ".join(question.split())[:MAX_QUESTION_CHARS]
        if not question:
            raise YomitokiError("the question is empty")
        language = detect(question)
        prompt = (
            Message("system", self.prompts.render("closed_book", language)),
            Message("user", question),
        )
        text, usage = self.llm.complete(list(prompt), self.temperature, self.max_tokens)
        text = text.strip()
        timings = {"answer_ms": round((time.perf_counter() - began) * 1000, 1)}
        timings["total_ms"] = timings["answer_ms"]
        answer = Answer(
            text=text,
            language=language,
            citations=(),
            dont_know=says_dont_know(text),
            timings=timings,
            usage=usage,
            answerer=self.name,
        )
        return Context(question, question, language, (), prompt), answer
