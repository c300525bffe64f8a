"""Builders of small real documents in every supported format, written into a tmp folder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import docx
import openpyxl
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Inches
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tests.options import ingest_options, open_store
from yomitoki.backends.fake import HashEmbedder
from yomitoki.ingest.access import AccessRule
from yomitoki.ingest.pipeline import Ingester

pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))


def pdf(path: Path, pages: Sequence[Sequence[str]], *, password: str | None = None) -> Path:
    """A PDF with one page per entry, each a list of lines (Japanese works: CID font)."""
    encrypt = None
    if password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(password, canPrint=0)
    pdf_canvas = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for lines in pages:
        pdf_canvas.setFont("HeiseiMin-W3", 11)
        y = 800
        for line in lines:
            pdf_canvas.drawString(50, y, line)
            y -= 16
        pdf_canvas.showPage()
    pdf_canvas.save()
    return path


def docx_file(path: Path, blocks: Sequence[tuple[str, str]]) -> Path:
    """``blocks`` are ``("h1"|"h2"|"p"|"table", text)``; a table's text is ``a|b;c|d``."""
    document = docx.Document()
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1]))
        elif kind == "table":
            rows = [r.split("|") for r in text.split(";")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def pptx_file(path: Path, slides: Sequence[tuple[str, str, str]]) -> Path:
    """Each slide is ``(title, body, notes)``."""
    deck = Presentation()
    for title, body, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = title
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(2))
        box.text_frame.text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))
    return path


def xlsx_file(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """One worksheet per entry, rows as given (the first row is the header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def text(path: Path, content: str, encoding: str = "utf-8") -> Path:
    """A text file (Markdown, HTML, CSV, TXT) in the given encoding."""
    path.write_bytes(content.encode(encoding))
    return path


def json_file(path: Path, data: object) -> Path:
    """A JSON file."""
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# -- Scans: pictures of pages, with no text layer -------------------------------------------------

#: Debian's fonts-noto-cjk (installed by .ci/run with Chromium): Japanese and Latin glyphs.
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: An A4 page at 200 dpi.
A4_200DPI = (1654, 2339)


def page_image(
    lines: Sequence[str], *, vertical: bool = False, size: tuple[int, int] = A4_200DPI
) -> Image.Image:
    """A white page with ``lines`` printed in black: rows from the top, or columns from the
    right when ``vertical`` (縦書き, one character under the next)."""
    font = ImageFont.truetype(str(CJK_FONT), 44)
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    if vertical:
        x = size[0] - 220
        for line in lines:
            for row, char in enumerate(line):
                draw.text((x, 200 + row * 56), char, font=font, fill=0)
            x -= 110
    else:
        for row, line in enumerate(lines):
            draw.text((150, 200 + row * 90), line, font=font, fill=0)
    return image


def image_pdf(path: Path, images: Sequence[Image.Image], dpi: int = 200) -> Path:
    """An image-only PDF, one picture per page: what a scanner without OCR writes."""
    images[0].save(path, save_all=True, append_images=list(images[1:]), resolution=dpi)
    return path


def indexed(folder: Path, files: dict[str, str], *rules: AccessRule) -> Path:
    """``files`` written under ``folder``/docs and ingested (with ``rules``): the index."""
    for name, content in files.items():
        (folder / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        text(folder / "docs" / name, content)
    index = folder / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, HashEmbedder(), ingest_options(rules=rules)).run(folder / "docs")
    return index
