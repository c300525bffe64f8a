"""``az://CONTAINER[/PREFIX]``: blobs of an Azure Storage container (or Azurite), through
azure-storage-blob. Readers come from each blob's ``yomitoki_readers`` metadata."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import (
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.storage.blob import ContainerClient

from yomitoki.errors import ConfigError, MissingDependencyError, SourceError
from yomitoki.ingest.source import READERS_KEY, GoneError, Listed, Source, reader_tokens
from yomitoki.sources import SourceOptions
from yomitoki.sources.stamps import marker


class AzureBlobSource(Source):
    """The blobs of one container under a prefix."""

    def __init__(self, container: str, prefix: str, options: SourceOptions) -> None:
        self.uri = f"az://{container}/{prefix}".rstrip("/")
        self._prefix = f"{prefix}/" if prefix else ""
        timeout = int(options.timeout)
        if options.azure_connection_string:
            try:
                self._client = ContainerClient.from_connection_string(
                    options.azure_connection_string,
                    container,
                    retry_total=1,
                    connection_timeout=timeout,
                )
            except ValueError as exc:
                raise ConfigError(f"AZURE_STORAGE_CONNECTION_STRING is not valid: {exc}") from None
            return
        if not options.azure_account_url:
            raise ConfigError(
                f"{self.uri}: set AZURE_STORAGE_CONNECTION_STRING, or azure_account_url (with "
                "azure_credential, a key or SAS, or nothing for Entra ID)"
            )
        self._client = ContainerClient(
            options.azure_account_url,
            container,
            credential=_credential(options.azure_account_url, options.azure_credential),
            retry_total=1,
            connection_timeout=timeout,
        )

    def listing(self) -> Iterator[Listed]:
        blobs = self._client.list_blobs(name_starts_with=self._prefix or None, include=["metadata"])
        with _failures(self.uri):
            for blob in blobs:
                if blob.name.endswith("/"):
                    continue  # a folder marker (ADLS Gen2, tools that make folders)
                metadata = {k.lower(): v for k, v in (blob.metadata or {}).items()}
                yield Listed(
                    blob.name[len(self._prefix) :],
                    int(blob.size or 0),
                    marker(blob.last_modified, blob.etag),
                    reader_tokens(metadata.get(READERS_KEY, "")),
                )

    def read(self, key: str, into: BinaryIO) -> None:
        with _failures(self.uri):
            try:
                self._client.download_blob(self._prefix + key).readinto(into)
            except ResourceNotFoundError as exc:
                if getattr(exc, "error_code", None) == "ContainerNotFound":
                    raise
                raise GoneError(key) from None

    def close(self) -> None:
        self._client.close()


def _credential(account_url: str, given: str | None) -> Any:
    """A SAS token as it is, an account key with the account's name (from the endpoint's
    host, or an emulator's first path segment), nothing: Microsoft Entra ID."""
    if given is None:
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise MissingDependencyError("azure-identity", "Entra ID sign-in") from None
        return DefaultAzureCredential()
    if "sig=" in given:
        return given.lstrip("?")
    parts = urlsplit(account_url)
    host = parts.hostname or ""
    on_path = host in ("localhost", "127.0.0.1", "::1") or host.replace(".", "").isdigit()
    account = parts.path.strip("/").split("/")[0] if on_path else host.split(".")[0]
    return AzureNamedKeyCredential(account, given)


@contextmanager
def _failures(uri: str) -> Iterator[None]:
    """The client's errors as one clear SourceError each (no secret is in them)."""
    try:
        yield
    except GoneError:
        raise
    except ResourceNotFoundError:
        raise SourceError(f"{uri}: no such container") from None
    except ServiceRequestError as exc:
        raise SourceError(f"{uri}: cannot reach the storage account ({exc.message})") from None
    except HttpResponseError as exc:
        if exc.status_code == 403:
            raise SourceError(
                f"{uri}: the storage account refused the credentials (check the connection "
                "string, key, SAS or Entra ID role)"
            ) from None
        code = getattr(exc, "error_code", None) or exc.status_code
        raise SourceError(f"{uri}: the storage account answered {code}") from None
