"""Signing in through the organisation's OpenID provider: authorization code with PKCE.

The server is the client (the "backend for frontend" pattern), so no token ever reaches the
page: ``/auth/login`` sends the browser to the provider with a fresh ``state``, ``nonce`` and
S256 ``code_challenge``; ``/auth/callback`` takes the code back, redeems it at the token
endpoint with the ``code_verifier`` only this server knows, verifies the ID token (signature,
issuer, audience = client id, expiry, nonce) and starts an HttpOnly session for the
principal it names. A ``state`` is good once, for ten minutes, and only in the browser that
started the sign-in: ``/auth/login`` gives that browser a random binding in a short-lived
HttpOnly cookie, and the callback is refused without it (so a callback URL an attacker
obtained for their own account signs no one else in: login CSRF).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

from yomitoki.errors import UnauthorizedError, YomitokiError
from yomitoki.server.oidc import TokenVerifier, principal_from_claims
from yomitoki.types import Principal

PENDING_SECONDS = 600
#: The cookie that binds a sign-in to the browser that started it.
BINDING_COOKIE = "yomitoki_signin"


def _digest(binding: str) -> bytes:
    return hashlib.sha256(binding.encode("utf-8", "surrogatepass")).digest()


def challenge_of(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Login:
    """Sign-ins under way (by ``state``) and how to finish one."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier
        config = verifier.config
        self.client_id = config.client_id or config.audience
        self._pending: dict[str, tuple[str, str, str, float, bytes]] = {}
        self._lock = threading.Lock()

    def _endpoint(self, name: str) -> str:
        url = self.verifier.discovery.get(name)
        if not url:
            raise YomitokiError(
                f"the OIDC issuer publishes no {name}; sign-in needs the discovery document "
                "(leave oidc.jwks_url unset)"
            )
        return str(url)

    def start(self, redirect_uri: str, binding: str) -> str:
        """The provider URL that starts a sign-in returning to ``redirect_uri``, good only
        for the browser holding ``binding``."""
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        code_verifier = secrets.token_urlsafe(64)
        now = time.monotonic()
        pending = (code_verifier, nonce, redirect_uri, now + PENDING_SECONDS, _digest(binding))
        with self._lock:
            self._pending = {s: p for s, p in self._pending.items() if p[3] > now}
            self._pending[state] = pending
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.verifier.config.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge_of(code_verifier),
            "code_challenge_method": "S256",
        }
        return f"{self._endpoint('authorization_endpoint')}?{urllib.parse.urlencode(query)}"

    def finish(self, code: str, state: str, binding: str) -> Principal:
        """Redeem ``code`` for tokens and return the principal the ID token names; the
        browser must hold the ``binding`` the sign-in was started with."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or pending[3] <= time.monotonic():
            raise UnauthorizedError(
                "this sign-in has expired or was not started here; sign in again"
            )
        code_verifier, nonce, redirect_uri, _, bound = pending
        if not hmac.compare_digest(bound, _digest(binding)):
            raise UnauthorizedError(
                "this sign-in was not started in this browser; sign in again from here"
            )
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": code_verifier,
        }
        secret = self.verifier.config.client_secret
        if secret is not None:
            form["client_secret"] = secret.get_secret_value()
        tokens = _post_form(self._endpoint("token_endpoint"), form)
        try:
            claims = self.verifier.claims(str(tokens["id_token"]), audience=self.client_id)
        except Exception as exc:  # noqa: BLE001 - any failure is a refused sign-in
            raise UnauthorizedError(f"the provider's ID token is not valid here ({exc})") from None
        if claims.get("nonce") != nonce:
            raise UnauthorizedError("the provider's ID token does not answer this sign-in")
        return principal_from_claims(claims, self.verifier.config)


def _post_form(url: str, form: dict[str, str]) -> dict[str, Any]:
    """POST ``form`` to the token endpoint; its JSON reply, or UnauthorizedError."""
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            reply: dict[str, Any] = json.load(response)
    except (OSError, ValueError) as exc:
        raise UnauthorizedError(f"the provider refused the sign-in ({exc})") from None
    if "id_token" not in reply:
        raise UnauthorizedError("the provider returned no ID token")
    return reply
