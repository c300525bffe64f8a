"""OpenID Connect tokens of one issuer: its discovery document, its keys, and the principal
a verified token names (PyJWT; asymmetric algorithms only, never ``none`` or an HMAC)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

import jwt

from yomitoki.errors import ConfigError
from yomitoki.settings.tables import OIDCConfig
from yomitoki.types import Principal

_JWKS_SECONDS = 3600


class TokenVerifier:
    """OIDC access or ID tokens of one issuer, verified against its published keys."""

    def __init__(self, config: OIDCConfig) -> None:
        self.config = config
        self.discovery: dict[str, Any] = {} if config.jwks_url else discover(config.issuer)
        url = config.jwks_url or str(self.discovery["jwks_uri"])
        self._keys = jwt.PyJWKClient(url, cache_keys=True, lifespan=_JWKS_SECONDS, timeout=10)

    def claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """The verified claims of ``token``; jwt.PyJWTError when it is not valid here."""
        key = self._keys.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=list(self.config.algorithms),
            audience=audience or self.config.audience,
            issuer=self.config.issuer,
            leeway=self.config.leeway_seconds,
            options={"require": ["exp", "iss", "aud"]},
        )
        return claims

    def principal(self, token: str) -> Principal:
        """The principal the token names; jwt.PyJWTError when it is not valid here."""
        return principal_from_claims(self.claims(token), self.config)


def principal_from_claims(claims: Mapping[str, Any], config: OIDCConfig) -> Principal:
    """User name from the first of ``user_claims`` present, groups from ``groups_claim``."""
    name = next((str(claims[c]) for c in config.user_claims if claims.get(c)), None)
    if name is None:
        raise jwt.InvalidTokenError("the token names no user")
    raw = claims.get(config.groups_claim) or []
    groups = frozenset(str(g) for g in (raw if isinstance(raw, list) else [raw]))
    return Principal(name, groups, admin=not groups.isdisjoint(config.admin_groups))


def discover(issuer: str) -> dict[str, Any]:
    """The issuer's OpenID discovery document (its endpoints and ``jwks_uri``)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"oidc issuer {issuer!r} is not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            document: dict[str, Any] = json.load(response)
        str(document["jwks_uri"])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read the OIDC discovery document {url}: {exc}") from None
    return document
