from pathlib import Path

import pytest

from tests import builders
from yomitoki.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
    ParseError,
    UnsupportedFormatError,
)
from yomitoki.ingest.parsers import parse_file
from yomitoki.types import Location, ParsedDocument

BIG = 10**9


def by_location(doc: ParsedDocument) -> dict[Location, str]:
    return {s.location: s.text for s in doc.sections}


def test_pdf_keeps_page_numbers_and_japanese(corpus: Path) -> None:
    doc = parse_file(corpus / "manual.pdf", BIG)
    assert doc.pages == 3
    pages = {s.location.page: s.text for s in doc.sections}
    assert "two years" in pages[1]
    assert "thirty days" in pages[2]
    assert "保証期間は二年間です。" in pages[3]


def test_pdf_drops_page_number_lines(tmp_path: Path) -> None:
    path = builders.pdf(tmp_path / "n.pdf", [["- 7 -", "本文です。", "７"]])
    (section,) = parse_file(path, BIG).sections
    assert section.text == "本文です。"


def test_docx_sections_follow_headings(corpus: Path) -> None:
    sections = by_location(parse_file(corpus / "policy.docx", BIG))
    assert "Book trains in advance." in sections[Location(heading=("Travel Policy",))]
    hotels = sections[Location(heading=("Travel Policy", "Hotels"))]
    assert "150 dollars" in hotels and "Tokyo | 180" in hotels


def test_pptx_one_section_per_slide_with_notes(corpus: Path) -> None:
    doc = parse_file(corpus / "deck.pptx", BIG)
    assert doc.pages == 2
    slides = by_location(doc)
    budget = slides[Location(slide=2, heading=("Budget",))]
    assert "2 million yen" in budget and "Ask finance" in budget


def test_xlsx_rows_carry_sheet_and_row_range(corpus: Path) -> None:
    sections = by_location(parse_file(corpus / "prices.xlsx", BIG))
    assert (
        sections[Location(sheet="Prices", rows=(2, 3))]
        == "Item: Apple; Price: 120\nItem: Melon; Price: 980"
    )
    assert sections[Location(sheet="Stock", rows=(2, 2))] == "Item: Apple; Count: 40"


def test_html_drops_scripts_and_navigation(corpus: Path) -> None:
    doc = parse_file(corpus / "page.html", BIG)
    assert doc.title == "Help"
    sections = by_location(doc)
    assert sections[Location(heading=("Support",))] == "Support\nCall us on weekdays."
    assert sections[Location(heading=("Support", "Hours"))] == "Hours\nOpen from 9 to 5."
    assert not any("var x" in t or "menu" in t for t in sections.values())


def test_markdown_ignores_headings_in_code(corpus: Path) -> None:
    doc = parse_file(corpus / "notes.md", BIG)
    assert doc.title == "社内規程"
    headings = [s.location.heading for s in doc.sections]
    assert headings == [("社内規程",), ("社内規程", "休暇")]
    assert "# not a heading" in doc.sections[1].text


def test_text_in_shift_jis(corpus: Path) -> None:
    (section,) = parse_file(corpus / "sub" / "memo.txt", BIG).sections
    assert section.text.startswith("会議は毎週月曜日")


def test_csv_rows(corpus: Path) -> None:
    (section,) = parse_file(corpus / "sub" / "staff.csv", BIG).sections
    assert section.location == Location(rows=(2, 3))
    assert section.text == "name: Sato; team: Sales\nname: Suzuki; team: Support"


def test_json_array_items_become_sections(corpus: Path) -> None:
    doc = parse_file(corpus / "sub" / "items.json", BIG)
    assert [s.location.heading for s in doc.sections] == [("[0]",), ("[1]",)]
    assert doc.sections[1].text == "Title: Add search\nState: Done"


def test_json_html_values_are_stripped(tmp_path: Path) -> None:
    path = builders.json_file(
        tmp_path / "w.json", {"Description": "<div>Reserve <b>rooms</b></div>"}
    )
    assert parse_file(path, BIG).sections[0].text == "Description: Reserve rooms"


@pytest.mark.parametrize(
    ("name", "content", "error", "reason"),
    [
        ("broken.pdf", b"%PDF-1.7\nthis is not a pdf", CorruptFileError, "not a readable PDF"),
        ("empty.txt", b"", EmptyDocumentError, "file is empty"),
        ("blank.md", b"   \n\n  ", EmptyDocumentError, "no extractable text"),
        ("image.gif", b"GIF89a", UnsupportedFormatError, "unsupported file type '.gif'"),
        (
            "legacy.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            ParseError,
            "password-protected",
        ),
        ("fake.xlsx", b"plain text, not a zip", CorruptFileError, "not a ZIP container"),
        ("bad.json", b'{"a": ', CorruptFileError, "invalid JSON"),
        ("binary.txt", b"abc\x00\x01\x02", CorruptFileError, "binary content"),
        ("latin.txt", bytes([0xFF, 0xFE, 0xFA, 0x80, 0x81]) * 3, CorruptFileError, "not UTF-8"),
        ("truncated.docx", b"PK\x03\x04 truncated", CorruptFileError, "not a valid .docx file"),
    ],
)
def test_bad_files_raise_clear_errors(
    tmp_path: Path, name: str, content: bytes, error: type[ParseError], reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        parse_file(path, BIG)
    assert reason in caught.value.reason
    assert str(path) in str(caught.value)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = builders.pdf(tmp_path / "secret.pdf", [["top secret"]], password="s3cret")
    with pytest.raises(EncryptedFileError, match="password-protected"):
        parse_file(path, BIG)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = builders.text(tmp_path / "big.txt", "word " * 100_000)
    with pytest.raises(FileTooLargeError, match=r"0\.5 MiB, over the 0\.1 MiB limit"):
        parse_file(path, int(0.1 * 2**20))


def test_pdf_without_text_layer_is_empty(tmp_path: Path) -> None:
    path = builders.pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(EmptyDocumentError, match=r"no text layer \(a scan\?\) and OCR is off"):
        parse_file(path, BIG)


def test_pdf_placeholder_title_gives_way_to_the_first_words(tmp_path: Path) -> None:
    # reportlab, like many tools, writes the title "untitled" when the author gave none.
    path = builders.pdf(tmp_path / "t.pdf", [["Travel Policy", "Hotels are booked by the office."]])
    assert parse_file(path, BIG).title == "Travel Policy Hotels are booked by the office."


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("untitled", None),
        ("Untitled-3", None),
        ("Document1", None),
        ("  ", None),
        (None, None),
        ("Microsoft Word - Benefits Guide.docx", "Benefits Guide"),
        ("Zava Plan", "Zava Plan"),
        ("Untitled Plans of Zava", "Untitled Plans of Zava"),
    ],
)
def test_pdf_metadata_titles(raw: str | None, title: str | None) -> None:
    from yomitoki.ingest.parsers.pdf import _meaningful_title

    assert _meaningful_title(raw) == title
