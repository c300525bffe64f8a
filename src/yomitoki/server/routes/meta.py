"""The server itself: the UI page, ``/config`` for it and ``/healthz``."""

from __future__ import annotations

from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from yomitoki import __version__, assemble
from yomitoki.server import protocol
from yomitoki.server.routes import Asking, IdentitiesOf, Served
from yomitoki.server.routes.signin import who_is
from yomitoki.types import Document, Mode

router = APIRouter()
STATIC = resources.files("yomitoki.server").joinpath("static")
#: Titles of readable documents the first screen names.
SHOWN_TITLES = 5
LONGEST_TITLE = 40


@router.get("/config")
def config(service: Served, identities: IdentitiesOf, principal: Asking) -> dict[str, Any]:
    """What the UI needs to know about this server, as the signed-in principal sees it."""
    options = service.answerer.options
    readable = sorted(
        (d for d in service.documents() if principal.can_read(d)), key=lambda d: d.name
    )
    return {
        "version": __version__,
        "answerer": service.answerer.name,
        "llm": service.answerer.llm is not None,
        "retrieval_mode": options.mode.value,
        # The demo's name of that mode: the value a client sends as its override.
        "retrieval_mode_override": protocol.DEMO_MODES[options.mode],
        # Every mode a client may ask for, the server's own first: the value to send, and
        # yomitoki's name of it.
        "retrieval_modes": [
            {"value": protocol.DEMO_MODES[mode], "mode": mode.value}
            for mode in sorted(Mode, key=lambda mode: mode is not options.mode)
        ],
        "top": options.answer_sources,
        "temperature": options.temperature,
        "followups": options.followups,
        "categories": sorted({d.category for d in readable if d.category}),
        "upload_types": assemble.upload_types(service.settings),
        "upload_max_mb": service.settings.upload_max_mb,
        "auth": identities.required,
        "oidc": identities.login is not None,
        "user": who_is(principal, identities.required),
        # The first screen: what this principal can ask about, and questions to start with.
        "documents": {
            "count": len(readable),
            "titles": [_label(d) for d in readable[:SHOWN_TITLES]],
        },
        "examples": service.settings.example_questions,
    }


def _label(doc: Document) -> str:
    """What a person calls a document: its title when it reads as one (short, not a
    sentence), else its file name without the extension (a PDF without a title in its
    metadata is given its first line)."""
    title = (doc.title or "").strip()
    named = 0 < len(title) <= LONGEST_TITLE and not title.endswith(("。", "."))
    return title if named else PurePosixPath(doc.name).stem


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def index() -> str:
    """The chat UI."""
    return STATIC.joinpath("index.html").read_text(encoding="utf-8")
