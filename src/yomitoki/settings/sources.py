"""The settings of sources beyond a folder (docs/sources.md), part of ``Settings``."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

#: A Windows security identifier, as the ``smb_sids`` table's keys are written.
SID_PATTERN = r"^S-1-\d+(-\d+)+$"


class SourceSettings(BaseSettings):
    """Where documents are kept and how to reach them; documented in docs/settings.md."""

    sources: list[str] = Field(
        default_factory=list,
        description="Folders and sources (`az://`, `s3://`, `smb://`) that `yomitoki serve` "
        "keeps in sync in the background, every `sync_interval` seconds, one at a time.",
    )
    sync_interval: float = Field(
        default=300.0,
        ge=1.0,
        description="Seconds between two syncs of a source (`serve` with `sources`, "
        "`ingest SOURCE --watch`); after an error the wait doubles, up to an hour.",
    )
    source_cache: Path | None = Field(
        default=None,
        description="Where the bytes of sources' entries are kept once ingested (parsed there, "
        "shown by `/content` and `/page`), with each source's last sync; default: "
        "`INDEX-sources/` beside the index (Milvus: `COLLECTION-sources/` in the `index` "
        "setting's folder).",
    )
    source_timeout: float = Field(
        default=20.0, gt=0, description="Seconds a source may take to connect."
    )
    azure_connection_string: SecretStr | None = Field(
        default=None,
        description="For `az://`: an Azure Storage connection string (never printed); unset: "
        "the `AZURE_STORAGE_CONNECTION_STRING` variable.",
    )
    azure_account_url: str | None = Field(
        default=None,
        description="For `az://` without a connection string: the account's blob endpoint "
        "(`https://ACCOUNT.blob.core.windows.net`).",
    )
    azure_credential: SecretStr | None = Field(
        default=None,
        description="For `az://` with `azure_account_url`: an account key or a SAS token "
        "(never printed); unset: Microsoft Entra ID (DefaultAzureCredential; needs "
        "azure-identity).",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="For `s3://`: an S3-compatible store's URL (MinIO, Ceph, R2); unset: AWS. "
        "Credentials: the usual `AWS_*` variables, profiles or roles.",
    )
    s3_region: str | None = Field(default=None, description="For `s3://`: the region.")
    s3_tags: bool = Field(
        default=True,
        description="For `s3://`: read each object's `yomitoki_readers` tag for its readers "
        "(one request an object per sync).",
    )
    smb_user: str | None = Field(default=None, description="For `smb://`: the user name.")
    smb_password: SecretStr | None = Field(
        default=None, description="For `smb://`: the password (never printed)."
    )
    smb_domain: str | None = Field(
        default=None, description="For `smb://`: the user's domain (`DOMAIN\\user`)."
    )
    smb_acls: bool = Field(
        default=True,
        description="For `smb://`: each file's readers from its ACL, by `smb_sids`.",
    )
    smb_sids: dict[str, str] = Field(
        default_factory=dict,
        description="For `smb://`: Windows SIDs and who they are here: a group name, or "
        '`user:NAME` (`"S-1-5-21-…-1104" = "hr"`). Everyone and Authenticated Users are '
        "every signed-in user; a SID not listed admits nobody.",
    )

    @field_validator("smb_sids")
    @classmethod
    def _sids_are_sids(cls, value: dict[str, str]) -> dict[str, str]:
        for sid, who in value.items():
            if not re.match(SID_PATTERN, sid):
                raise ValueError(f"smb_sids: {sid!r} is not a SID (S-1-5-21-…)")
            if not who.strip():
                raise ValueError(f"smb_sids: {sid} names nobody")
        return value
