"""CSV and TSV via the csv module: row groups with their headers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from yomitoki.ingest.parsers.tabular import row_sections
from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.types import ParsedDocument


def parse(path: Path) -> ParsedDocument:
    """Sniff the delimiter (tab for .tsv) and group rows into sections."""
    text = read_text(path)
    if path.suffix.lower() == ".tsv":
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel_tab
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    return ParsedDocument(tuple(row_sections(rows, sheet=None)))
