"""DOCX via python-docx: a section per heading, tables kept in reading order."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from yomitoki.ingest.parsers import check_office_container
from yomitoki.ingest.parsers.outline import Outline
from yomitoki.types import ParsedDocument


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return 1
    if name.startswith("Heading"):
        digits = name.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        # Merged cells repeat their text in python-docx; keep one copy.
        deduped = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
        if deduped:
            rows.append(" | ".join(deduped))
    return "\n".join(rows)


def parse(path: Path) -> ParsedDocument:
    """Split the body into sections at headings; each section carries its heading path."""
    check_office_container(path)
    document = docx.Document(str(path))
    outline = Outline()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            level = _heading_level(block)
            if level is not None and block.text.strip():
                outline.heading(level, block.text.strip())
            else:
                outline.add(block.text)
        else:
            outline.add(_table_text(block))
    title = document.core_properties.title or outline.first_heading()
    return ParsedDocument(outline.sections(), title=title or None)
