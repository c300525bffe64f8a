"""Errors with messages a user can act on, each knowing what it means to a caller. A leaf.

``status`` is the HTTP status the server answers with and ``code`` the error's name in its
JSON body (``{"error": {"code", "message"}}``); ``exit_code`` is what the CLI exits with.
A fault of the server's own (its index, its embedder, its configuration) is a 5xx: the
client can do nothing about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar


class YomitokiError(Exception):
    """Base of every error yomitoki raises on purpose: by default the caller's mistake."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid_request"
    exit_code: ClassVar[int] = 1


class UnauthorizedError(YomitokiError):
    """The request proves no identity: no key, an unknown one, or a token that is not valid."""

    status = 401
    code = "unauthorized"


class ForbiddenError(YomitokiError):
    """The principal may not do this to something it can see (delete a folder's document)."""

    status = 403
    code = "forbidden"


class NotFoundError(YomitokiError):
    """The document (or other thing) asked for does not exist, or is not the caller's to see."""

    status = 404
    code = "not_found"


class ConfigError(YomitokiError):
    """A setting, a config file or a flag has a value that cannot be used."""

    status = 500
    code = "config_error"


class MissingDependencyError(YomitokiError):
    """An optional package is needed for what was asked."""

    status = 500
    code = "missing_dependency"

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the '{package}' package: pip install {package}")
        self.package = package


class StoreError(YomitokiError):
    """The index file cannot be opened or used."""

    status = 500
    code = "index_error"


class EmbedderError(YomitokiError):
    """The embedding backend failed or is misconfigured."""

    status = 500
    code = "embedder_error"


class ParseError(YomitokiError):
    """A file could not be turned into text. ``reason`` says why in a few words."""

    status = 422
    code = "unreadable_document"

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        """Pickled by its fields (a failure travels back from a Ray worker)."""
        return (type(self), (self.path, self.reason))


class UnsupportedFormatError(ParseError):
    """The file's extension is not one yomitoki reads."""

    status = 415
    code = "unsupported_type"


class EncryptedFileError(ParseError):
    """The file is password-protected."""


class FileTooLargeError(ParseError):
    """The file is over the ``max_file_mb`` setting (or an upload over ``upload_max_mb``)."""

    status = 413
    code = "too_large"


class EmptyDocumentError(ParseError):
    """The file holds no extractable text (empty, or a scan with no text layer)."""


class CorruptFileError(ParseError):
    """The file is damaged or is not what its extension says."""


class LLMError(YomitokiError):
    """The chat model could not be reached or refused the request."""

    status = 502
    code = "llm_error"


class SourceError(YomitokiError):
    """A source of documents (a blob container, a bucket, a share) cannot be reached, named or
    read: the message says which and what to check. Nothing indexed is removed for it."""

    status = 502
    code = "source_error"


class InvalidNameError(YomitokiError):
    """A file name that cannot be stored or cited safely. ``reason`` says which rule it breaks."""

    status = 400
    code = "invalid_name"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r}: {reason}")
        self.name = name
        self.reason = reason


class NameTakenError(YomitokiError):
    """A document of that name exists and the request did not ask to replace it."""

    status = 409
    code = "exists"


class BusyError(YomitokiError):
    """The server is doing as much of this as it may at once; try again shortly."""

    status = 503
    code = "busy"


class IndexBusyError(BusyError):
    """Another process is writing to the index and the caller chose not to wait."""
