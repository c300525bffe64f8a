"""PPTX via python-pptx: one section per slide, with the slide title as its heading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from yomitoki.ingest.parsers import check_office_container
from yomitoki.types import Location, ParsedDocument, Section


def _shape_texts(shapes: Any) -> Iterator[str]:
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shape_texts(shape.shapes)
        elif shape.has_text_frame and shape.text_frame.text.strip():
            yield shape.text_frame.text.strip()
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
                if cells:
                    yield " | ".join(cells)


def parse(path: Path) -> ParsedDocument:
    """Text of every shape (groups and tables included) and the speaker notes, per slide."""
    check_office_container(path)
    deck = Presentation(str(path))
    sections = []
    for number, slide in enumerate(deck.slides, start=1):
        title_shape = slide.shapes.title
        title = title_shape.text.strip() if title_shape is not None else ""
        parts = list(_shape_texts(slide.shapes))
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                parts.append(notes)
        if parts:
            heading = (title,) if title else ()
            sections.append(Section("\n".join(parts), Location(slide=number, heading=heading)))
    title = deck.core_properties.title or None
    return ParsedDocument(tuple(sections), title=title, pages=len(deck.slides))
