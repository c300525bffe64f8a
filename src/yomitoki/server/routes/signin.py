"""Signing in: an API key exchanged for a session cookie, the organisation's OpenID provider
(``/auth/login`` and its callback), who is signed in, and signing out."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ConfigDict, Field

from yomitoki.errors import NotFoundError, YomitokiError
from yomitoki.server import protocol, security
from yomitoki.server.identity import SESSION_COOKIE, SESSION_SECONDS
from yomitoki.server.login import BINDING_COOKIE, PENDING_SECONDS
from yomitoki.server.routes import IdentitiesOf
from yomitoki.types import Principal

router = APIRouter()


class SignIn(protocol.RequestBody):
    """``POST /auth/session``: an API key exchanged for an HttpOnly session cookie."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=1000)


def who_is(principal: Principal | None, required: bool) -> dict[str, Any]:
    signed_in = principal is not None and required
    return {
        "signed_in": signed_in,
        "auth": required,
        "user": principal.name if signed_in and principal else None,
        "groups": sorted(principal.groups) if signed_in and principal else [],
        "admin": bool(principal and principal.admin),
    }


@router.post("/auth/session")
def sign_in(body: SignIn, request: Request, identities: IdentitiesOf) -> JSONResponse:
    """Exchange a key for an HttpOnly session cookie that carries who it belongs to."""
    if not identities.required:
        return JSONResponse(who_is(None, False))
    principal = identities.by_key(body.key)
    if principal is None:
        return security.error(401, "unauthorized", "that key is not valid")
    response = JSONResponse(who_is(principal, True))
    _set_session(response, request, identities.start_session(principal))
    return response


@router.get("/auth/login")
def login(request: Request, identities: IdentitiesOf) -> RedirectResponse:
    """Start signing in with the organisation's OpenID provider (authorization code + PKCE),
    bound to this browser by a short-lived cookie."""
    if identities.login is None:
        raise NotFoundError("this server has no OpenID Connect sign-in (setting oidc)")
    callback = str(request.url_for("callback"))
    # One binding a browser, so sign-ins started in two tabs both finish.
    binding = request.cookies.get(BINDING_COOKIE) or secrets.token_urlsafe(32)
    response = RedirectResponse(identities.login.start(callback, binding), status_code=303)
    response.set_cookie(
        BINDING_COOKIE,
        binding,
        max_age=PENDING_SECONDS,
        path="/auth/",
        httponly=True,
        # Lax: the provider sends the browser back with a top-level GET from its own site.
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/auth/callback", name="callback")
def callback(
    request: Request, identities: IdentitiesOf, code: str = "", state: str = ""
) -> RedirectResponse:
    """The provider sends the browser back here with a code: redeem it, start a session."""
    if identities.login is None:
        raise NotFoundError("this server has no OpenID Connect sign-in (setting oidc)")
    if not code or not state:
        raise YomitokiError("the sign-in came back without a code; sign in again")
    binding = request.cookies.get(BINDING_COOKIE, "")
    principal = identities.login.finish(code, state, binding)
    # The binding stays until it expires: another tab's sign-in may still be under way.
    response = RedirectResponse("/", status_code=303)
    _set_session(response, request, identities.start_session(principal))
    return response


def _set_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.get("/auth/session")
def who(request: Request, identities: IdentitiesOf) -> dict[str, Any]:
    """Who this request is signed in as, and whether the organisation's sign-in is offered."""
    principal = getattr(request.state, "principal", None)
    return {**who_is(principal, identities.required), "oidc": identities.login is not None}


@router.delete("/auth/session", status_code=204)
def sign_out(request: Request, identities: IdentitiesOf) -> Response:
    """End the session of the cookie sent."""
    identities.end_session(request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response
