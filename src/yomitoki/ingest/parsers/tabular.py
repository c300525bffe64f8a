"""Row groups for spreadsheets and CSV: each row rendered with its column headers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from yomitoki.types import Location, Section

ROWS_PER_SECTION = 25
CHARS_PER_SECTION = 2000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def row_sections(rows: Iterable[Sequence[object]], sheet: str | None) -> list[Section]:
    """Group rows into sections; the first non-empty row is the header.

    Each data row becomes ``header: value; header: value`` so a chunk reads on its own, and
    each section's location carries the 1-based row range it covers.
    """
    header: list[str] | None = None
    sections: list[Section] = []
    lines: list[str] = []
    first_row = 0

    def flush(last_row: int) -> None:
        nonlocal lines
        if lines:
            location = Location(sheet=sheet, rows=(first_row, last_row))
            sections.append(Section("\n".join(lines), location))
        lines = []

    last = 0
    for number, row in enumerate(rows, start=1):
        cells = [_cell(v) for v in row]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        if not lines:
            first_row = number
        pairs = [
            f"{header[i]}: {value}" if i < len(header) and header[i] else value
            for i, value in enumerate(cells)
            if value
        ]
        lines.append("; ".join(pairs))
        last = number
        if len(lines) >= ROWS_PER_SECTION or sum(map(len, lines)) >= CHARS_PER_SECTION:
            flush(number)
    flush(last)
    if not sections and header is not None:
        # A sheet with a single row: index it as it is.
        sections.append(
            Section(" | ".join(c for c in header if c), Location(sheet=sheet, rows=(1, 1)))
        )
    return sections
