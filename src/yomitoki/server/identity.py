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
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

import jwt
from fastapi import Request

from yomitoki.errors import ConfigError
from yomitoki.settings import OIDCConfig, Settings
from yomitoki.types import LOCAL_ADMIN, Principal

SESSION_COOKIE = "yomitoki_session"
SESSION_SECONDS = 12 * 3600
#: Who holds one of the plain ``api_keys``: reads what every signed-in user may read.
ANONYMOUS = Principal("anonymous")
_JWKS_SECONDS = 3600


class TokenVerifier:
    """OIDC access or ID tokens of one issuer, verified against its published keys."""

    def __init__(self, config: OIDCConfig) -> None:
        self.config = config
        url = config.jwks_url or _discover_jwks(config.issuer)
        self._keys = jwt.PyJWKClient(url, cache_keys=True, lifespan=_JWKS_SECONDS, timeout=10)

    def principal(self, token: str) -> Principal:
        """The principal the token names; jwt.PyJWTError when it is not valid here."""
        key = self._keys.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=list(self.config.algorithms),
            audience=self.config.audience,
            issuer=self.config.issuer,
            leeway=self.config.leeway_seconds,
            options={"require": ["exp", "iss", "aud"]},
        )
        return principal_from_claims(claims, self.config)


def principal_from_claims(claims: Mapping[str, Any], config: OIDCConfig) -> Principal:
    """User name from the first of ``user_claims`` present, groups from ``groups_claim``."""
    name = next((str(claims[c]) for c in config.user_claims if claims.get(c)), None)
    if name is None:
        raise jwt.InvalidTokenError("the token names no user")
    raw = claims.get(config.groups_claim) or []
    groups = frozenset(str(g) for g in (raw if isinstance(raw, list) else [raw]))
    return Principal(name, groups, admin=not groups.isdisjoint(config.admin_groups))


def _discover_jwks(issuer: str) -> str:
    """The ``jwks_uri`` of the issuer's OpenID discovery document."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"oidc issuer {issuer!r} is not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(json.load(response)["jwks_uri"])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read the OIDC discovery document {url}: {exc}") from None


class Identities:
    """The server's identities and the sessions the UI signs in to."""

    def __init__(self, settings: Settings) -> None:
        self._plain = [k.get_secret_value().encode() for k in settings.api_keys]
        self._users = [
            (bytes.fromhex(u.key_sha256), Principal(u.name, frozenset(u.groups), u.admin))
            for u in settings.users
        ]
        self.oidc = TokenVerifier(settings.oidc) if settings.oidc is not None else None
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
                return None
        return self.by_key(token)

    def of(self, request: Request) -> Principal | None:
        """Who sent ``request``; None when it proves no identity (the server answers 401)."""
        if not self.required:
            return LOCAL_ADMIN
        given = request.headers.get("x-api-key", "")
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
