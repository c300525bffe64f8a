"""A cited page drawn with the answer's sentence highlighted: found, drawn where it is, served."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests import builders
from yomitoki.errors import NotFoundError
from yomitoki.ingest.ocr.tesseract import Tesseract, Word
from yomitoki.server.highlight import SCALE, draw, lines, locate, mark_scan

A4_HEIGHT = 841.89
#: builders.pdf writes the first line's baseline at y = 800 and each next one 16 points lower.
FIRST, STEP = 800, 16


def test_locate_matches_across_width_spaces_and_line_breaks() -> None:
    chars = list("第３条　年次有給休暇は\r\n１０日付与する。次の条。")
    span = locate(chars, "年次有給休暇は10日付与する [rules.pdf#page=3]。")
    assert span is not None
    first, last = span
    assert "".join(chars[first : last + 1]) == "年次有給休暇は\r\n１０日付与する"


def test_locate_skips_a_title_the_answer_put_in_front() -> None:
    chars = list("Overview. The plan covers hearing aids every three years. Other text.")
    span = locate(chars, "Zava Northwind Plus: The plan covers hearing aids every three years.")
    assert span is not None
    assert "".join(chars[span[0] : span[1] + 1]) == "The plan covers hearing aids every three years"


def test_locate_takes_the_page_sentence_an_llm_paraphrased() -> None:
    chars = list("Parking is free. Dental cleanings are covered twice a year. Vision is extra.")
    span = locate(chars, "The plan covers two dental cleanings each year.")
    assert span is not None
    assert (
        "".join(chars[span[0] : span[1] + 1]).strip()
        == "Dental cleanings are covered twice a year."
    )


@pytest.mark.parametrize(
    "sentence", ["The company jet flies to Mars weekly.", "", "[a.pdf]", "）", "。", "です。"]
)
def test_locate_finds_nothing_for_a_sentence_the_page_does_not_hold(sentence: str) -> None:
    page = list("Parking is free (a pass is needed). Dental cleanings are covered. The end.")
    assert locate(page, sentence) is None


def changed_rows(plain: bytes, marked: bytes) -> np.ndarray:
    a = np.asarray(Image.open(io.BytesIO(plain)).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(io.BytesIO(marked)).convert("RGB"), dtype=int)
    assert a.shape == b.shape
    return np.flatnonzero(np.abs(a - b).sum(axis=(1, 2)))


def line_rows(line: int) -> tuple[float, float]:
    """The pixel rows a line of builders.pdf can occupy (11-point text around its baseline)."""
    baseline = (A4_HEIGHT - (FIRST - STEP * line)) * SCALE
    return baseline - 16 * SCALE, baseline + 6 * SCALE


@pytest.mark.parametrize(
    ("page", "line", "sentence"),
    [
        (1, 1, "Returns are accepted within thirty days of purchase."),
        (2, 0, "保証期間は2年間です。"),  # the PDF says ２ (full width), the index 2
        (2, 1, "修理の申込みはサポート窓口で受け付けます [manual.pdf#page=2]。"),
    ],
)
def test_the_highlight_is_drawn_over_the_sentences_line_only(
    tmp_path: Path, page: int, line: int, sentence: str
) -> None:
    pdf = builders.pdf(
        tmp_path / "manual.pdf",
        [
            ["The warranty covers parts for two years.",
             "Returns are accepted within thirty days of purchase."],
            ["保証期間は２年間です。", "修理の申込みはサポート窓口で受け付けます。"],
        ],
    )  # fmt: skip
    plain = draw(pdf, page, None)
    marked = draw(pdf, page, sentence)
    assert not plain.found and marked.found
    rows = changed_rows(plain.png, marked.png)
    top, bottom = line_rows(line)
    assert rows.size > 5 and top <= rows.min() and rows.max() <= bottom
    missing = draw(pdf, page, "The company jet flies to Mars weekly.")
    assert not missing.found and missing.png == plain.png


def test_a_page_that_does_not_exist_or_a_file_that_is_no_pdf(tmp_path: Path) -> None:
    pdf = builders.pdf(tmp_path / "one.pdf", [["Only page."]])
    with pytest.raises(NotFoundError, match="no page 2"):
        draw(pdf, 2, None)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 junk")
    with pytest.raises(NotFoundError, match="cannot be drawn"):
        draw(junk, 1, "anything")


# -- scans: Tesseract reads the words' boxes -------------------------------------------------


@pytest.fixture(scope="module")
def reader() -> Tesseract:
    tesseract = Tesseract(("jpn", "eng"), 60)
    tesseract.check()
    return tesseract


SCAN_LINES = [
    "Overview. Zava offers two health plans.",
    "Dental. The plan covers two cleanings a year.",
    "年次有給休暇は１０日付与する。",
]


def scan_rows(line: int) -> tuple[int, int]:
    """The pixel rows builders.page_image prints line ``line`` on (44-pixel font)."""
    top = 200 + 90 * line
    return top - 10, top + 70


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        (1, "The plan covers two cleanings a year [fax.tiff#page=1]."),
        (2, "年次有給休暇は10日付与する。"),
    ],
)
def test_a_scanned_sentence_is_found_by_ocr_and_marked_on_its_line(
    reader: Tesseract, line: int, sentence: str
) -> None:
    image = builders.page_image(SCAN_LINES, size=(1654, 600)).convert("RGB")
    plain = mark_scan(image, None, reader)
    marked = mark_scan(image, sentence, reader)
    assert marked.found and not plain.found
    rows = changed_rows(plain.png, marked.png)
    top, bottom = scan_rows(line)
    assert rows.size > 20 and top <= rows.min() and rows.max() <= bottom
    assert not mark_scan(image, "The company jet flies to Mars weekly.", reader).found


def test_a_pdf_page_without_a_text_layer_is_read_to_find_the_sentence(
    tmp_path: Path, reader: Tesseract
) -> None:
    scan = builders.image_pdf(tmp_path / "scan.pdf", [builders.page_image(SCAN_LINES)])
    found = draw(scan, 1, "Zava offers two health plans.", reader)
    assert found.found
    assert not draw(scan, 1, "Zava offers two health plans.", None).found  # no OCR: no boxes


class CountingTesseract(Tesseract):
    """Tesseract, counting the pages it is asked to read."""

    calls = 0

    def words(self, image: Image.Image) -> list[Word]:
        self.calls += 1
        return super().words(image)


def test_a_scanned_page_is_read_once_for_several_citations() -> None:
    reader = CountingTesseract(("eng",), 60)
    reader.check()
    image = builders.page_image(["Lunch is served at noon.", "Parking is on level two."],
                                size=(1654, 500)).convert("RGB")  # fmt: skip
    assert mark_scan(image, "Lunch is served at noon.", reader).found
    assert mark_scan(image, "Parking is on level two.", reader).found
    assert reader.calls == 1
    other = builders.page_image(["Dinner is served at six."], size=(1654, 500)).convert("RGB")
    assert mark_scan(other, "Dinner is served at six.", reader).found and reader.calls == 2


def test_character_boxes_are_joined_into_one_box_per_line() -> None:
    # A Japanese PDF gives a box per character; drawn one by one they hide the text.
    first = [(10.0 + 12 * i, 100.0, 21.0 + 12 * i, 114.0) for i in range(5)]
    second = [(10.0 + 12 * i, 120.0, 21.0 + 12 * i, 133.0) for i in range(3)]
    assert lines([*second, *first]) == [(10.0, 100.0, 69.0, 114.0), (10.0, 120.0, 45.0, 133.0)]
    assert lines([]) == []
