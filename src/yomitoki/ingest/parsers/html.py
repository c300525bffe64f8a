"""HTML via BeautifulSoup (lxml): sections at h1-h6, scripts and navigation dropped."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from yomitoki.ingest.parsers.outline import Outline
from yomitoki.ingest.parsers.textdecode import read_text
from yomitoki.types import ParsedDocument

_MARK = "\x00H"
_HEADING = re.compile(r"^h([1-6])$")
_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "svg", "form")


def parse(path: Path) -> ParsedDocument:
    """Headings become the heading path; body text keeps its block line breaks."""
    soup = BeautifulSoup(read_text(path), "lxml")
    for tag in soup(_DROP):
        tag.decompose()
    for tag in soup.find_all(_HEADING):
        level = int(tag.name[1])
        text = " ".join(tag.get_text(" ", strip=True).split())
        tag.replace_with(f"\n{_MARK}{level}{text}\n")
    title = soup.title.get_text(strip=True) if soup.title else None
    if soup.title:
        soup.title.decompose()
    outline = Outline()
    paragraph: list[str] = []
    for line in soup.get_text("\n").split("\n"):
        line = " ".join(line.split())
        if line.startswith(_MARK):
            outline.add(" ".join(paragraph))
            paragraph = []
            outline.heading(int(line[2]), line[3:])
        elif line:
            paragraph.append(line)
        elif paragraph:
            outline.add(" ".join(paragraph))
            paragraph = []
    outline.add(" ".join(paragraph))
    return ParsedDocument(outline.sections(), title=title or outline.first_heading())
