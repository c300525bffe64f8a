"""PDF via pypdfium2: one section per page, lines re-flowed, page-number lines dropped."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium

from yomitoki.errors import CorruptFileError, EncryptedFileError
from yomitoki.text.normalize import reflow
from yomitoki.types import Location, ParsedDocument, Section

# A header or footer line holding only a page number: "12", "１２", "- 12 -", "Page 3 of 9".
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s*)?[0-9０-９]{1,4}(?:\s*(?:/|of)\s*[0-9０-９]{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE,
)


def _strip_page_numbers(text: str) -> str:
    lines = text.splitlines()
    for idx in (0, -1):
        if lines and _PAGE_NUMBER_LINE.match(lines[idx]):
            lines.pop(idx)
    return "\n".join(lines)


# Titles that tools write when the author wrote none: "untitled", "Untitled-3", "Document1".
_PLACEHOLDER_TITLE = re.compile(r"(?:untitled|document)[-_\s]?\d*", re.IGNORECASE)
# "Microsoft Word - Benefits.docx": the title an Office print-to-PDF gives; the name is in it.
_OFFICE_TITLE = re.compile(r"microsoft\s+\w+\s+-\s+(.+?)(?:\.\w{3,4})?", re.IGNORECASE)


def _meaningful_title(raw: str | None) -> str | None:
    """The metadata title, unless it is a tool's placeholder; an Office file name unwrapped."""
    title = (raw or "").strip()
    if office := _OFFICE_TITLE.fullmatch(title):
        title = office.group(1).strip()
    return None if not title or _PLACEHOLDER_TITLE.fullmatch(title) else title


def _first_words(text: str) -> str:
    """The first line or lines of a page, up to a title's length."""
    words: list[str] = []
    for line in text.split("\n"):
        words.append(line.strip())
        if sum(map(len, words)) >= 20:
            break
    return " ".join(w for w in words if w)[:120]


def parse(path: Path) -> ParsedDocument:
    """Extract each page's text; page numbers are 1-based physical pages (``#page=N``)."""
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise EncryptedFileError(path, "PDF is password-protected") from None
        raise CorruptFileError(path, f"not a readable PDF ({message})") from None
    try:
        sections = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
            text = reflow(_strip_page_numbers(raw.replace("\r\n", "\n")))
            if text:
                sections.append(Section(text, Location(page=index + 1)))
        title = _meaningful_title(pdf.get_metadata_dict(skip_empty=True).get("Title"))
        if not title and sections:
            title = _first_words(sections[0].text)
        return ParsedDocument(tuple(sections), title=title or None, pages=len(pdf))
    finally:
        pdf.close()
