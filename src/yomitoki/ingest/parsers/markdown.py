"""Markdown via markdown-it-py: sections at headings, source text kept for display."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from yomitoki.ingest.parsers.outline import Outline
from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.types import ParsedDocument


def parse(path: Path) -> ParsedDocument:
    """Use the parser's heading tokens (not a regex) so headings inside code blocks are ignored."""
    source = read_text(path).replace("\r\n", "\n")
    lines = source.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    headings: list[tuple[int, int, int, str]] = []  # (first line, end line, level, text)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            inline = tokens[i + 1]
            headings.append((token.map[0], token.map[1], int(token.tag[1]), inline.content.strip()))
    outline = Outline()
    cursor = 0
    for first, end, level, text in headings:
        outline.add("\n".join(lines[cursor:first]))
        outline.heading(level, text)
        cursor = end
    outline.add("\n".join(lines[cursor:]))
    return ParsedDocument(outline.sections(), title=outline.first_heading())
