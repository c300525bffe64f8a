"""Who a request is: a principal from an API key, a user's key, an OIDC token or a session.

- ``api_keys``: keys of an anonymous principal that reads only what everyone may read.
- ``users``: each key belongs to a named user with groups; only its SHA-256 is configured,
  and a given key is compared against every digest in constant time.
- ``oidc``: ``Authorization: Bearer <JWT>`` verified with PyJWT against the issuer's signing
  keys (fetched from its JWKS and cached): signature, algorithm (asymmetric ones only, never
  ``none`` or an HMAC), ``exp``, ``nbf``, ``iat``, audience and issuer, with a clock leeway.
- A session: the HttpOnly cookie the UI gets by signing in with a key; it carries the
  principal, never the key.

Nothing configured: the server is the local user's, who reads everything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

import jwt
from fastapi import Request

from yomitoki import assemble
from yomitoki.server.login import Login
from yomitoki.server.oidc import TokenVerifier
from yomitoki.settings import Settings
from yomitoki.types import LOCAL_ADMIN, Principal

SESSION_COOKIE = "yomitoki_session"
SESSION_SECONDS = 12 * 3600
#: Who holds one of the plain ``api_keys``: reads what every signed-in user may read.
ANONYMOUS = Principal("anonymous")


class Identities:
    """The server's identities and the sessions the UI signs in to."""

    def __init__(self, settings: Settings) -> None:
        self._plain = [k.get_secret_value().encode() for k in settings.api_keys]
        self._users = [
            (bytes.fromhex(u.key_sha256), assemble.user_principal(u)) for u in settings.users
        ]
        self.oidc = TokenVerifier(settings.oidc) if settings.oidc is not None else None
        self.login = Login(self.oidc) if self.oidc is not None and self.oidc.discovery else None
        self._sessions: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    @property
    def required(self) -> bool:
        """Whether any request but the public ones needs an identity."""
        return bool(self._plain or self._users or self.oidc)

    def by_key(self, given: str) -> Principal | None:
        """The principal whose key ``given`` is; every key is compared, so timing says nothing."""
        found: Principal | None = None
        raw = given.encode()
        for key in self._plain:
            if hmac.compare_digest(raw, key):
                found = found or ANONYMOUS
        digest = hashlib.sha256(raw).digest()
        for expected, principal in self._users:
            if hmac.compare_digest(digest, expected):
                found = principal
        return found

    def by_token(self, token: str) -> Principal | None:
        """The principal of a bearer token: an OIDC JWT when configured, else a key."""
        if self.oidc is not None and token.count(".") == 2:
            try:
                return self.oidc.principal(token)
            except (jwt.PyJWTError, OSError, ValueError):
                pass  # not a token of this issuer: perhaps a key with two dots in it
        return self.by_key(token)

    def of(self, request: Request) -> Principal | None:
        """Who sent ``request``; None when it proves no identity (the server answers 401)."""
        if not self.required:
            return LOCAL_ADMIN
        # Azure OpenAI's clients send their key as ``api-key``.
        given = request.headers.get("x-api-key", "") or request.headers.get("api-key", "")
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if given:
            return self.by_token(given)
        return self.in_session(request.cookies.get(SESSION_COOKIE, ""))

    def start_session(self, principal: Principal) -> str:
        """A new session token for the HttpOnly cookie; the key itself never reaches it."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._sessions = {t: s for t, s in self._sessions.items() if s[1] > now}
            self._sessions[token] = (principal, now + SESSION_SECONDS)
        return token

    def end_session(self, token: str) -> None:
        """Forget a session (sign-out)."""
        with self._lock:
            self._sessions.pop(token, None)

    def in_session(self, token: str) -> Principal | None:
        """The principal of a live session, if ``token`` is one."""
        with self._lock:
            session = self._sessions.get(token)
        if session is None or session[1] <= time.monotonic():
            return None
        return session[0]
