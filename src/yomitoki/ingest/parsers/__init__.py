"""Parsers: one module per format, each keeping the location a citation needs."""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from yomitoki.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
    ParseError,
    UnsupportedFormatError,
)
from yomitoki.types import ParsedDocument

if TYPE_CHECKING:
    from yomitoki.ingest.ocr.reader import PageReader

Parser = Callable[[Path], ParsedDocument]

# Extension -> (format name, module under yomitoki.ingest.parsers). Modules load on first use.
FORMATS: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "pdf"),
    ".docx": ("docx", "word"),
    ".pptx": ("pptx", "powerpoint"),
    ".xlsx": ("xlsx", "excel"),
    ".xlsm": ("xlsx", "excel"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".md": ("markdown", "markdown"),
    ".markdown": ("markdown", "markdown"),
    ".txt": ("text", "plaintext"),
    ".text": ("text", "plaintext"),
    ".csv": ("csv", "csvfile"),
    ".tsv": ("csv", "csvfile"),
    ".json": ("json", "jsonfile"),
    ".png": ("image", "image"),
    ".jpg": ("image", "image"),
    ".jpeg": ("image", "image"),
    ".tif": ("image", "image"),
    ".tiff": ("image", "image"),
    ".bmp": ("image", "image"),
}
#: Modules whose parse takes an OCR reader: they read pictures of text.
_READS_SCANS = {"pdf", "image"}


def format_of(path: Path) -> str | None:
    """The format name for ``path``'s extension, or None when yomitoki does not read it."""
    entry = FORMATS.get(path.suffix.lower())
    return entry[0] if entry else None


def parser_for(path: Path, ocr: PageReader | None = None) -> Parser:
    """The parse function for ``path``, reading scans with ``ocr``; raises
    UnsupportedFormatError for unknown extensions."""
    entry = FORMATS.get(path.suffix.lower())
    if entry is None:
        known = ", ".join(sorted({name for name, _ in FORMATS.values()}))
        raise UnsupportedFormatError(
            path, f"unsupported file type '{path.suffix or '(none)'}' (supported: {known})"
        )
    module = importlib.import_module(f"{__name__}.{entry[1]}")
    if entry[1] in _READS_SCANS:
        return partial(module.parse, ocr=ocr)
    parse: Parser = module.parse
    return parse


def parse_file(path: Path, max_bytes: int, ocr: PageReader | None = None) -> ParsedDocument:
    """Parse ``path`` into sections, raising a ParseError subclass that says what is wrong.

    Pages without a usable text layer, and images, are read with ``ocr`` when it is given.
    """
    parse = parser_for(path, ocr)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ParseError(path, f"cannot read file: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise FileTooLargeError(
            path, f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.1f} MiB limit"
        )
    if size == 0:
        raise EmptyDocumentError(path, "file is empty")
    try:
        doc = parse(path)
    except ParseError:
        raise
    except PermissionError as exc:
        raise ParseError(path, f"cannot read file: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 - any library failure on a bad file is a corrupt file
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CorruptFileError(path, f"cannot parse {path.suffix} file: {detail[:200]}") from None
    if not any(section.text.strip() for section in doc.sections):
        raise EmptyDocumentError(path, "no extractable text (a scan without a text layer?)")
    return doc


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What an Office file may expand to. A real 100 MiB deck holds about as much (its images are
#: stored uncompressed); a zip bomb of 100 KiB claims gigabytes.
MAX_UNZIPPED = 1 << 30
#: Larger members may not compress better than this: XML compresses ~10-30x, bombs ~1000x.
MAX_RATIO = 200


def check_office_container(path: Path) -> None:
    """Office files are ZIP archives; an OLE container means encrypted or legacy binary."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise EncryptedFileError(
            path,
            "password-protected, or a legacy binary Office file (save it as .docx/.xlsx/.pptx)",
        )
    if not head.startswith(b"PK"):
        raise CorruptFileError(path, f"not a valid {path.suffix} file (not a ZIP container)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFileError(path, f"not a valid {path.suffix} file ({exc})") from None
    total = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > 1 << 20 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members
    )
    if total > MAX_UNZIPPED or bomb:
        raise CorruptFileError(
            path, f"its ZIP content expands to {total / 2**20:,.0f} MiB (a zip bomb?); refused"
        )
