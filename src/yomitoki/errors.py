"""Errors with messages a user can act on. A leaf module."""

from __future__ import annotations

from pathlib import Path


class YomitokiError(Exception):
    """Base of every error yomitoki raises on purpose."""


class ConfigError(YomitokiError):
    """A setting, a config file or a flag has a value that cannot be used."""


class MissingDependencyError(YomitokiError):
    """An optional package is needed for what was asked."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the '{package}' package: pip install {package}")
        self.package = package


class StoreError(YomitokiError):
    """The index file cannot be opened or used."""


class EmbedderError(YomitokiError):
    """The embedding backend failed or is misconfigured."""


class ParseError(YomitokiError):
    """A file could not be turned into text. ``reason`` says why in a few words."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsupportedFormatError(ParseError):
    """The file's extension is not one yomitoki reads."""


class EncryptedFileError(ParseError):
    """The file is password-protected."""


class FileTooLargeError(ParseError):
    """The file is over the ``max_file_mb`` setting."""


class EmptyDocumentError(ParseError):
    """The file holds no extractable text (empty, or a scan with no text layer)."""


class CorruptFileError(ParseError):
    """The file is damaged or is not what its extension says."""


class LLMError(YomitokiError):
    """The chat model could not be reached or refused the request."""


class InvalidNameError(YomitokiError):
    """A file name that cannot be stored or cited safely. ``reason`` says which rule it breaks."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r}: {reason}")
        self.name = name
        self.reason = reason


class NameTakenError(YomitokiError):
    """A document of that name exists and the request did not ask to replace it."""


class IndexBusyError(YomitokiError):
    """Another process is writing to the index and the caller chose not to wait."""
