"""JSON: each top-level item a section, leaves rendered as ``key.path: value`` lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from yomitoki.errors import CorruptFileError
from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.types import Location, ParsedDocument, Section


def _plain(value: str) -> str:
    # Work-item style JSON often carries HTML in string fields.
    if "<" in value and ">" in value:
        return BeautifulSoup(value, "html.parser").get_text(" ", strip=True)
    return value


def _leaves(value: Any, prefix: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}[{index}]")
    elif value is not None and value != "":
        text = _plain(value) if isinstance(value, str) else json.dumps(value)
        yield f"{prefix}: {text}" if prefix else text


def parse(path: Path) -> ParsedDocument:
    """A top-level array gives one section per element (heading ``[i]``); else one section."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise CorruptFileError(path, f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    items = list(enumerate(data)) if isinstance(data, list) else [(None, data)]
    sections = []
    for index, item in items:
        text = "\n".join(_leaves(item, ""))
        if text.strip():
            heading = (f"[{index}]",) if index is not None else ()
            sections.append(Section(text, Location(heading=heading)))
    title = data.get("Title") or data.get("title") if isinstance(data, dict) else None
    return ParsedDocument(tuple(sections), title=str(title) if title else None)
