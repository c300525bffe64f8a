"""The thought process: what the answerer searched, found, was told and checked, as titled
steps in the demo's shape. Each step also has a stable ``code`` (``query``, ``results``,
``prompt``, ``ignored``, ``checks``) that a client keys on; titles are for people and may
change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yomitoki import serialize
from yomitoki.types import Answer, Context


def thoughts(
    context: Context, answer: Answer | None, ignored: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The thought process in the demo's shape: titled steps with details."""
    steps: list[dict[str, Any]] = [
        {
            "code": "query",
            "title": "Search query",
            "description": context.query,
            "props": {"question": context.question, "language": context.language},
        },
        {
            "code": "results",
            "title": "Search results",
            "description": [serialize.hit(h) for h in context.hits],
        },
    ]
    if context.prompt:
        steps.append(
            {
                "code": "prompt",
                "title": "Prompt",
                "description": [{"role": m.role, "content": m.content} for m in context.prompt],
            }
        )
    if ignored:
        steps.append(
            {
                "code": "ignored",
                "title": "Options without effect",
                "description": list(ignored),
                "props": {"note": "accepted for compatibility; this answerer does not use them"},
            }
        )
    if answer is not None:
        steps.append(
            {
                "code": "checks",
                "title": "Answer checks",
                "description": {
                    "removed_citations": list(answer.removed_citations),
                    "unsupported": [s.sentence for s in answer.unsupported],
                    "dont_know": answer.dont_know,
                    "answerability": answer.answerability,
                },
                "props": {
                    "timings_ms": answer.timings,
                    "answerer": answer.answerer,
                    "usage": None
                    if answer.usage is None
                    else {
                        "prompt_tokens": answer.usage.prompt_tokens,
                        "completion_tokens": answer.usage.completion_tokens,
                    },
                },
            }
        )
    return steps
