"""The tables of the settings: LLM rows, users, permission rules, the OpenID Connect issuer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class LLMConfig(BaseModel):
    """One row of the ``llms`` table: how to reach one chat model.

    OpenAI, Azure OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp server,
    LM Studio) are all rows like this for one client; see docs/settings.md.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="Model name; for Azure, the deployment name.")
    api: Literal["openai", "azure"] = Field(
        default="openai", description="Protocol flavour: `openai` (and compatible) or `azure`."
    )
    base_url: str | None = Field(
        default=None,
        description="Server URL, e.g. `http://localhost:11434/v1`; for Azure, the endpoint "
        "`https://NAME.openai.azure.com`. Unset means api.openai.com.",
    )
    api_version: str | None = Field(default=None, description="Azure only: the API version.")
    api_key: SecretStr | None = Field(default=None, description="The key itself (prefer env).")
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable that holds the key."
    )
    entra: bool = Field(
        default=False,
        description="Azure only: authenticate with a Microsoft Entra ID token "
        "(needs the `azure-identity` package) instead of a key.",
    )
    backend: str = Field(
        default="openai", description="LLM backend (entry point in `yomitoki.llms`)."
    )
    timeout: float = Field(default=60.0, gt=0, description="Seconds before a request fails.")
    max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries with backoff on 429, 5xx and timeouts."
    )


_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$"
SigningAlgorithm = Literal["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
DEFAULT_ALGORITHMS: tuple[SigningAlgorithm, ...] = ("RS256", "ES256")


class UserConfig(BaseModel):
    """One row of ``users``: an identity signed in by API key. The key is never stored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME, description="User name, as documents' readers name it.")
    key_sha256: str = Field(
        pattern=r"^[0-9a-fA-F]{64}$",
        description="Hex SHA-256 of the user's key (`printf %s KEY | sha256sum`).",
    )
    groups: list[str] = Field(default_factory=list, description="Groups the user is in.")
    admin: bool = Field(default=False, description="Reads every document; uploads for any group.")


class PermissionRule(BaseModel):
    """One row of ``permissions``: files under a path glob are readable by these only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="Glob relative to the ingested folder, e.g. `hr/**`.")
    groups: list[str] = Field(default_factory=list, description="Groups that may read them.")
    users: list[str] = Field(default_factory=list, description="Users that may read them.")

    @model_validator(mode="after")
    def _names_someone(self) -> PermissionRule:
        if not self.groups and not self.users:
            raise ValueError(f"permission rule '{self.path}' names no groups and no users")
        return self


class OIDCConfig(BaseModel):
    """The ``oidc`` section: bearer tokens (JWTs) from an OpenID Connect issuer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(description="The issuer URL, exactly as tokens' `iss` claim says it.")
    audience: str = Field(description="This server's client id, as tokens' `aud` says it.")
    jwks_url: str | None = Field(
        default=None,
        description="Where the signing keys are; unset: from the issuer's discovery document.",
    )
    groups_claim: str = Field(
        default="groups", description="Claim that lists groups (`groups`, `roles`, ...)."
    )
    user_claims: list[str] = Field(
        default_factory=lambda: ["preferred_username", "oid", "sub"],
        description="Claims tried in order for the user name.",
    )
    admin_groups: list[str] = Field(
        default_factory=list, description="Members of these groups are admins."
    )
    algorithms: list[SigningAlgorithm] = Field(
        default_factory=lambda: list(DEFAULT_ALGORITHMS),
        description="Signature algorithms accepted (never `none` or an HMAC).",
    )
    leeway_seconds: float = Field(
        default=60.0, ge=0, le=600, description="Clock skew allowed on `exp` and `nbf`."
    )
    client_id: str | None = Field(
        default=None, description="Client id the UI signs in with (default: `audience`)."
    )
    client_secret: SecretStr | None = Field(
        default=None, description="Client secret, for an issuer that requires one with PKCE."
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile"],
        description="Scopes the UI's sign-in asks for (add the one that brings `groups`).",
    )
