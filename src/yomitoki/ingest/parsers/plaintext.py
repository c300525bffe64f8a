"""Plain text: one section; the chunker finds the sentences."""

from __future__ import annotations

from pathlib import Path

from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.types import ParsedDocument, Section


def parse(path: Path) -> ParsedDocument:
    """The whole file as one section; its first line doubles as a title."""
    text = read_text(path).replace("\r\n", "\n").strip()
    first_line = text.split("\n", 1)[0].strip()
    title = first_line[:200] if first_line else None
    return ParsedDocument((Section(text),), title=title)
