"""XLSX via openpyxl: sections per sheet and row range, cells rendered with their headers."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from yomitoki.ingest.parsers import check_office_container
from yomitoki.ingest.parsers.tabular import row_sections
from yomitoki.types import ParsedDocument


def parse(path: Path) -> ParsedDocument:
    """Read cached cell values (not formulas) of every sheet."""
    check_office_container(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sections = []
        for sheet in book.worksheets:
            sections.extend(row_sections(sheet.iter_rows(values_only=True), sheet.title))
        title = book.properties.title or None
        return ParsedDocument(tuple(sections), title=title, pages=len(book.worksheets))
    finally:
        book.close()
