"""The audit log: who was shown which passages, and what the answer cited.

Two JSON lines per answer, tied by ``request``: ``retrieved`` is written when the passages
are found, before the first byte of a response leaves (a client hanging up after the
passages has still been recorded), and ``answered`` when the answer ends.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yomitoki.types import Answer, Context, Event, Principal


class AuditLog:
    """Appends records to one JSONL file, one writer thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line)

    def _record(self, event: str, request: str, principal: Principal, route: str) -> dict[str, Any]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "event": event,
            "request": request,
            "user": principal.name,
            "groups": sorted(principal.groups),
            "route": route,
        }

    def retrieved(self, principal: Principal, route: str, context: Context) -> str:
        """Record the passages ``principal`` is about to be shown; the request's id."""
        request = uuid.uuid4().hex
        record = self._record("retrieved", request, principal, route)
        passages = [h.citation() for h in context.hits]
        self._write({**record, "question": context.question, "passages": passages})
        return request

    def answered(self, request: str, principal: Principal, route: str, answer: Answer) -> None:
        """Record what the answer to ``request`` cited."""
        record = self._record("answered", request, principal, route)
        citations = list(answer.citations)
        self._write({**record, "citations": citations, "dont_know": answer.dont_know})


def audited(
    log: AuditLog | None, principal: Principal, route: str, events: Iterable[Event]
) -> Iterator[Event]:
    """``events`` as they come, each answer's passages recorded before they are passed on."""
    request: str | None = None
    for event in events:
        if log is not None and isinstance(event, Context):
            request = log.retrieved(principal, route, event)
        elif log is not None and request is not None and isinstance(event, Answer):
            log.answered(request, principal, route, event)
        yield event
