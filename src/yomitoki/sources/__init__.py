"""Sources of documents beyond a folder: ``az://`` (Azure Blob), ``s3://`` and ``smb://``.

Each is a ``yomitoki.ingest.source.Source`` over a well-kept client (azure-storage-blob,
boto3, smbprotocol), loaded only when its scheme is asked for; ``open_source`` picks one by
the URI's scheme. What they need beyond the URI comes in ``SourceOptions``, which
``yomitoki.assemble`` builds from the settings (secrets included: never printed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from yomitoki.errors import ConfigError, MissingDependencyError
from yomitoki.ingest.source import Source

#: The schemes a source URI may have, with the extra that brings each one's client.
SCHEMES = {"az": "azure", "s3": "s3", "smb": "smb"}


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to reach and read the sources; docs/sources.md says where each comes from."""

    #: An Azure Storage connection string (``AZURE_STORAGE_CONNECTION_STRING``).
    azure_connection_string: str | None
    #: The account's blob endpoint, for a key, a SAS or Entra ID.
    azure_account_url: str | None
    #: An account key or a SAS token; None with an account URL: Entra ID.
    azure_credential: str | None
    s3_endpoint_url: str | None
    s3_region: str | None
    #: Read each object's tags for its readers (one request an object).
    s3_tags: bool
    smb_user: str | None
    smb_password: str | None
    smb_domain: str | None
    #: Read each file's ACL for its readers.
    smb_acls: bool
    #: Reader tokens of Windows SIDs (``S-1-5-21-…-1104`` -> ``group:hr``).
    sids: Mapping[str, str]
    #: Seconds a connection may take before the source is called unreachable.
    timeout: float


def is_source(text: str) -> bool:
    """Whether ``text`` names a source (``az://…``, ``s3://…``, ``smb://…``), not a folder."""
    return urlsplit(text).scheme.lower() in SCHEMES and "://" in text


def open_source(uri: str, options: SourceOptions) -> Source:
    """The source ``uri`` names, its client connected lazily; ConfigError for a malformed
    URI, MissingDependencyError when its client is not installed."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.netloc:
        raise ConfigError(
            f"{uri!r} is not a source: use az://CONTAINER[/PREFIX], s3://BUCKET[/PREFIX] or "
            "smb://SERVER/SHARE[/PATH], or a folder"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"{scheme}:// sources take no user, password, query or fragment in the URI; put "
            "credentials in settings or the environment (docs/sources.md)"
        )
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{uri!r}: the port is not a number") from None
    try:
        if scheme == "az":
            from yomitoki.sources.azure_blob import AzureBlobSource

            return AzureBlobSource(parts.netloc, parts.path.strip("/"), options)
        if scheme == "s3":
            from yomitoki.sources.s3 import S3Source

            return S3Source(parts.netloc, parts.path.strip("/"), options)
        from yomitoki.sources.smb import SMBSource

        return SMBSource(parts.hostname or "", port, parts.path.strip("/"), options)
    except ImportError as exc:
        raise MissingDependencyError(
            f"yomitoki[{SCHEMES[scheme]}]", f"a {scheme}:// source ({exc.name})"
        ) from None
