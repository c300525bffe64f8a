"""Decoding of plain-text files: UTF-8 first, then the common Japanese encodings."""

from __future__ import annotations

from pathlib import Path

from yomitoki.errors import CorruptFileError

ENCODINGS = ("utf-8-sig", "cp932", "euc_jp")


def read_text(path: Path) -> str:
    """Return the file's text; binary content or an unknown encoding is a clear error."""
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise CorruptFileError(path, "binary content in a text file")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorruptFileError(path, "text is not UTF-8, Shift_JIS (cp932) or EUC-JP")
