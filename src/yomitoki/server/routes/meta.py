"""The server itself: the UI page, ``/config`` for it, ``/healthz``, and key sign-in."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from yomitoki import __version__, wiring
from yomitoki.server import security
from yomitoki.server.routes import keys_of, service_of
from yomitoki.server.security import Keys
from yomitoki.server.service import Service

router = APIRouter()
STATIC = resources.files("yomitoki.server").joinpath("static")
Served = Annotated[Service, Depends(service_of)]
KeysOf = Annotated[Keys, Depends(keys_of)]


class SignIn(BaseModel):
    """``POST /auth/session``: an API key exchanged for an HttpOnly session cookie."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=1000)


@router.post("/auth/session")
def sign_in(body: SignIn, request: Request, keys: KeysOf) -> JSONResponse:
    """Exchange an API key for an HttpOnly session cookie; the UI keeps no key."""
    if not keys.required:
        return JSONResponse({"signed_in": False, "auth": False})
    if not keys.valid(body.key):
        return security.error(401, "unauthorized", "that key is not valid")
    response = JSONResponse({"signed_in": True, "auth": True})
    response.set_cookie(
        security.SESSION_COOKIE,
        keys.start_session(),
        max_age=security.SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.delete("/auth/session", status_code=204)
def sign_out(request: Request, keys: KeysOf) -> Response:
    """End the session of the cookie sent."""
    keys.end_session(request.cookies.get(security.SESSION_COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(security.SESSION_COOKIE, httponly=True, samesite="strict")
    return response


@router.get("/config")
def config(service: Served, keys: KeysOf) -> dict[str, Any]:
    """What the UI needs to know about this server."""
    options = service.answerer.options
    return {
        "version": __version__,
        "answerer": service.answerer.name,
        "llm": service.answerer.llm is not None,
        "retrieval_mode": options.mode.value,
        "top": options.answer_sources,
        "temperature": options.temperature,
        "followups": options.followups,
        "categories": sorted({d.category for d in service.documents() if d.category}),
        "upload_types": wiring.upload_types(service.settings),
        "upload_max_mb": service.settings.upload_max_mb,
        "auth": keys.required,
    }


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def index() -> str:
    """The chat UI."""
    return STATIC.joinpath("index.html").read_text(encoding="utf-8")
