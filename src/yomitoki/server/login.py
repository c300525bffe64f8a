"""Signing in through the organisation's OpenID provider: authorization code with PKCE.

The server is the client (the "backend for frontend" pattern), so no token ever reaches the
page: ``/auth/login`` sends the browser to the provider with a fresh ``state``, ``nonce`` and
S256 ``code_challenge``; ``/auth/callback`` takes the code back, redeems it at the token
endpoint with the ``code_verifier`` only this server knows, verifies the ID token (signature,
issuer, audience = client id, expiry, nonce) and starts an HttpOnly session for the
principal it names. The OAuth 2 protocol (the authorization URL, PKCE, the token request) is
Authlib's; the ID token is verified by ``oidc.TokenVerifier`` against the issuer's keys.

A ``state`` is good once, for ten minutes, and only in the browser that started the sign-in:
``/auth/login`` gives that browser a random binding in a short-lived HttpOnly cookie, and the
callback is refused without it (so a callback URL an attacker obtained for their own account
signs no one else in: login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from cachetools import TTLCache

from yomitoki.errors import UnauthorizedError, YomitokiError
from yomitoki.server.oidc import TokenVerifier, principal_from_claims
from yomitoki.types import Principal

PENDING_SECONDS = 600
#: Sign-ins under way at once, at most (the oldest are forgotten past it).
MOST_PENDING = 10_000
#: The cookie that binds a sign-in to the browser that started it.
BINDING_COOKIE = "yomitoki_signin"


def _digest(binding: str) -> bytes:
    return hashlib.sha256(binding.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in under way: what its callback must match."""

    code_verifier: str
    nonce: str
    redirect_uri: str
    #: The SHA-256 of the browser's binding cookie.
    browser: bytes


class Login:
    """Sign-ins under way (by ``state``) and how to finish one."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier
        config = verifier.config
        self.client_id = config.client_id or config.audience
        self._pending: TTLCache[str, Pending] = TTLCache(MOST_PENDING, PENDING_SECONDS)
        self._lock = threading.Lock()

    def _endpoint(self, name: str) -> str:
        url = self.verifier.discovery.get(name)
        if not url:
            raise YomitokiError(
                f"the OIDC issuer publishes no {name}; sign-in needs the discovery document "
                "(leave oidc.jwks_url unset)"
            )
        return str(url)

    def _client(self, redirect_uri: str) -> OAuth2Client:
        secret = self.verifier.config.client_secret
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            token_endpoint_auth_method="client_secret_post" if secret is not None else "none",
            scope=" ".join(self.verifier.config.scopes),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    def start(self, redirect_uri: str, binding: str) -> str:
        """The provider URL that starts a sign-in returning to ``redirect_uri``, good only
        for the browser holding ``binding``."""
        state, nonce, code_verifier = generate_token(32), generate_token(32), generate_token(64)
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self._endpoint("authorization_endpoint"),
                state=state,
                code_verifier=code_verifier,
                nonce=nonce,
            )
        with self._lock:
            self._pending[state] = Pending(code_verifier, nonce, redirect_uri, _digest(binding))
        return str(url)

    def finish(self, code: str, state: str, binding: str) -> Principal:
        """Redeem ``code`` for tokens and return the principal the ID token names; the
        browser must hold the ``binding`` the sign-in was started with."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None:
            raise UnauthorizedError(
                "this sign-in has expired or was not started here; sign in again"
            )
        if not hmac.compare_digest(pending.browser, _digest(binding)):
            raise UnauthorizedError(
                "this sign-in was not started in this browser; sign in again from here"
            )
        tokens = self._redeem(code, pending)
        try:
            claims = self.verifier.claims(str(tokens["id_token"]), audience=self.client_id)
        except Exception as exc:  # noqa: BLE001 - any failure is a refused sign-in
            raise UnauthorizedError(f"the provider's ID token is not valid here ({exc})") from None
        if claims.get("nonce") != pending.nonce:
            raise UnauthorizedError("the provider's ID token does not answer this sign-in")
        return principal_from_claims(claims, self.verifier.config)

    def _redeem(self, code: str, pending: Pending) -> dict[str, Any]:
        """The provider's tokens for ``code``; UnauthorizedError when it refuses."""
        with self._client(pending.redirect_uri) as client:
            try:
                tokens = client.fetch_token(
                    self._endpoint("token_endpoint"),
                    code=code,
                    code_verifier=pending.code_verifier,
                    grant_type="authorization_code",
                )
            except (AuthlibBaseError, httpx.HTTPError, ValueError) as exc:
                raise UnauthorizedError(f"the provider refused the sign-in ({exc})") from None
        if "id_token" not in tokens:
            raise UnauthorizedError("the provider returned no ID token")
        return dict(tokens)
