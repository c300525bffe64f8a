"""Scanned paper: pictures of pages read by Debian's Tesseract, end to end and file by file.

The pages are drawn by the tests (Noto Sans CJK, installed with Chromium by .ci/run), kept
small so that Tesseract reads each in well under a second.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import ingest_options, ocr_reader, open_store, searcher
from yomitoki.errors import CorruptFileError, EmptyDocumentError, FileTooLargeError
from yomitoki.ingest.ocr.layout import looks_vertical
from yomitoki.ingest.ocr.rules import without_rules
from yomitoki.ingest.ocr.tesseract import Tesseract, _page_text, debian_package
from yomitoki.ingest.ocr.textlayer import garbled_share, needs_ocr
from yomitoki.ingest.parsers import parse_file
from yomitoki.ingest.pipeline import Ingester
from yomitoki.text.normalize import close_japanese_gaps, normalize
from yomitoki.types import Mode, OcrMode, Outcome

BIG = 1 << 30
SMALL_PAGE = (1400, 520)
PAGES = [
    ["Chapter one. The warranty covers parts for two years.", "Returns need a receipt."],
    ["第二条 年次有給休暇は十日とする。", "休暇の申請は上長に行う。"],
    ["Chapter three. Hearing aids are covered once every three years."],
]


def page(lines: list[str], **kwargs: object) -> Image.Image:
    return builders.page_image(lines, size=SMALL_PAGE, **kwargs)  # type: ignore[arg-type]


def flat(text: str) -> str:
    """Text as compared here: normalized, without white space."""
    return "".join(normalize(text).split())


@pytest.fixture
def reader(tmp_path: Path):  # type: ignore[no-untyped-def]
    return ocr_reader(cache=tmp_path / "ocr-cache", dpi=200)


# -- Reading pages -------------------------------------------------------------------------------


def test_a_scanned_pdf_is_read_page_by_page_with_its_page_numbers(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    path = builders.image_pdf(tmp_path / "scan.pdf", [page(lines) for lines in PAGES])
    doc = parse_file(path, BIG, reader)
    assert [s.location.page for s in doc.sections] == [1, 2, 3]
    assert "warrantycoverspartsfortwoyears" in flat(doc.sections[0].text)
    assert "年次有給休暇は十日とする" in flat(doc.sections[1].text)
    assert "Hearingaidsarecovered" in flat(doc.sections[2].text)
    assert all(s.ocr is not None and 0.5 < s.ocr <= 1 for s in doc.sections)
    assert doc.pages == 3 and doc.warnings == ()


def test_without_a_reader_a_scan_says_that_ocr_is_off(tmp_path: Path) -> None:
    path = builders.image_pdf(tmp_path / "scan.pdf", [page(PAGES[0])])
    with pytest.raises(EmptyDocumentError, match=r"no text layer \(a scan\?\) and OCR is off"):
        parse_file(path, BIG)


def test_a_born_digital_pdf_is_not_read_by_ocr_unless_forced(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    path = builders.pdf(tmp_path / "digital.pdf", PAGES)
    auto = parse_file(path, BIG, reader)
    assert [s.ocr for s in auto.sections] == [None, None, None]
    forced = parse_file(path, BIG, ocr_reader(mode=OcrMode.FORCE, cache=None))
    assert all(s.ocr is not None for s in forced.sections)
    assert "有給休暇は十日とする" in flat(forced.sections[1].text)


def test_blank_pages_are_not_sent_to_ocr(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    blank = Image.new("L", SMALL_PAGE, 255)
    path = builders.image_pdf(tmp_path / "blank.pdf", [blank, page(PAGES[0])])
    seen: list[int] = []

    class Count:
        def ocr(self, total: int) -> None:
            seen.append(total)

        def ocred(self, count: int) -> None:
            pass

    reader.progress = Count()
    doc = parse_file(path, BIG, reader)
    assert seen == [1]
    assert [s.location.page for s in doc.sections] == [2]


def test_a_pdf_mixing_text_and_scanned_pages_reads_only_the_scans(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
) -> None:
    digital = pdfium.PdfDocument(builders.pdf(tmp_path / "d.pdf", [PAGES[0]]))
    scanned = pdfium.PdfDocument(builders.image_pdf(tmp_path / "s.pdf", [page(PAGES[1])]))
    digital.import_pages(scanned)
    digital.save(tmp_path / "mixed.pdf")
    doc = parse_file(tmp_path / "mixed.pdf", BIG, reader)
    assert [(s.location.page, s.ocr is None) for s in doc.sections] == [(1, True), (2, False)]
    assert "年次有給休暇は十日とする" in flat(doc.sections[1].text)


def test_vertical_japanese_is_read_in_its_columns(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    lines = ["第一条　休憩時間は六十分とする。", "第二条　賞与は年二回支給する。"]
    image = builders.page_image(lines, vertical=True, size=(1000, 1300))
    image.save(tmp_path / "tategaki.png")
    doc = parse_file(tmp_path / "tategaki.png", BIG, reader)
    text = flat(doc.sections[0].text)
    assert "休憩時間は六十分とする" in text and "賞与は年二回支給する" in text
    assert text.index("休憩時間") < text.index("賞与")  # right-hand column first


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_a_page_scanned_sideways_or_upside_down_is_turned_and_read(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
    angle: int,
) -> None:
    lines = [*PAGES[0], "The office opens at nine in the morning.", *PAGES[2]]
    turned = builders.page_image(lines, size=(1654, 1000)).rotate(angle, expand=True)
    path = builders.image_pdf(tmp_path / "turned.pdf", [turned])
    text = flat(parse_file(path, BIG, reader).sections[0].text)
    assert "warrantycoverspartsfortwoyears" in text
    assert "Theofficeopensatnine" in text


def test_every_frame_of_a_tiff_is_a_page(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    frames = [page(lines) for lines in PAGES]
    frames[0].save(tmp_path / "fax.tiff", save_all=True, append_images=frames[1:])
    doc = parse_file(tmp_path / "fax.tiff", BIG, reader)
    assert [s.location.page for s in doc.sections] == [1, 2, 3]
    assert doc.pages == 3
    assert "Hearingaidsarecovered" in flat(doc.sections[2].text)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp"])
def test_single_images_are_one_section_without_a_page(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
    suffix: str,
) -> None:
    path = tmp_path / f"note{suffix}"
    page(PAGES[2]).save(path)
    doc = parse_file(path, BIG, reader)
    assert len(doc.sections) == 1 and doc.sections[0].location.page is None
    assert "Hearingaidsarecovered" in flat(doc.sections[0].text)


def test_ocr_text_loses_the_spaces_tesseract_puts_between_japanese_characters() -> None:
    assert (
        close_japanese_gaps("第3 2 条 (目的) 第 1 項において、 1 週間")
        == "第32条(目的)第1項において、1週間"
    )
    assert close_japanese_gaps("Page 3 of 12 items") == "Page 3 of 12 items"


def test_lines_and_paragraphs_come_back_from_tesseracts_word_table() -> None:
    table = {
        "block_num": [1, 1, 1, 1, 2],
        "par_num": [1, 1, 1, 1, 1],
        "line_num": [1, 1, 2, 2, 1],
        "text": ["第 1", "条", "Hello", "world", "終わり"],
        "conf": [90, 90, 80, 80, -1],
    }
    read = _page_text(table)
    assert read.text == "第1条\nHello world\n\n終わり"
    assert read.confidence == pytest.approx((90 * 4 + 80 * 10) / 17 / 100)


def test_mojibake_and_empty_text_layers_need_ocr_but_real_text_does_not() -> None:
    inked, blank = (lambda: 0.03), (lambda: 0.0)
    assert needs_ocr("", inked, blank)
    assert needs_ocr("Title", lambda: 0.002, lambda: 0.4)  # a picture of text under a title
    assert not needs_ocr("Zava Employee Handbook", inked, lambda: 0.04)  # a cover in big type
    assert not needs_ocr("", blank, lambda: 1.0)  # a blank scanned page
    assert not needs_ocr("", blank, blank)
    assert needs_ocr("\ue001\ue002\ue003 (cid:12)(cid:13) abc", inked, blank)
    text = "The warranty covers parts for two years, and labour for one." * 2
    assert not needs_ocr(text, inked, inked)
    assert garbled_share("plain text") == 0.0


def test_debian_packages_are_named_as_apt_knows_them() -> None:
    assert debian_package("jpn_vert") == "tesseract-ocr-jpn-vert"
    assert debian_package("eng") == "tesseract-ocr-eng"


# -- Hostile and broken files --------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with one tiny data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ((30_000, 30_000), r"decompression bomb \(Image size \(900000000 pixels\) exceeds"),
        ((12_000, 10_000), r"12,000 x 10,000 pixels \(120 MP\), over the 100 MP limit"),
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
    size: tuple[int, int],
    reason: str,
) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(*size))
    with pytest.raises(FileTooLargeError, match=reason):
        parse_file(bomb, BIG, reader)


@pytest.mark.parametrize(
    ("name", "content", "error", "reason"),
    [
        ("empty.png", b"", EmptyDocumentError, "file is empty"),
        ("junk.png", b"\x89PNG\r\n\x1a\nnot really", CorruptFileError, "not a readable .png"),
        ("junk.jpg", b"\xff\xd8\xff" + b"\x00" * 40, CorruptFileError, "not a readable .jpg image"),
        ("truncated.png", png_header(400, 300), EmptyDocumentError, "no text read from the image"),
    ],
)
def test_broken_images_get_a_clear_error(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
    name: str,
    content: bytes,
    error: type[Exception],
    reason: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=reason):
        parse_file(path, BIG, reader)


def test_a_page_that_takes_too_long_is_a_warning_and_the_rest_is_kept(tmp_path: Path) -> None:
    digital = pdfium.PdfDocument(builders.pdf(tmp_path / "d.pdf", [PAGES[0]]))
    digital.import_pages(
        pdfium.PdfDocument(builders.image_pdf(tmp_path / "s.pdf", [page(PAGES[1])]))
    )
    digital.save(tmp_path / "mixed.pdf")
    doc = parse_file(tmp_path / "mixed.pdf", BIG, ocr_reader(page_seconds=0.001, cache=None))
    assert [s.location.page for s in doc.sections] == [1]
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("page 2: OCR gave up")


def test_a_missing_language_pack_is_named_and_the_others_are_used(tmp_path: Path) -> None:
    reader = ocr_reader(languages=("eng", "klingon"), cache=None)
    path = tmp_path / "note.png"
    page(PAGES[2]).save(path)
    doc = parse_file(path, BIG, reader)
    assert "Hearingaidsarecovered" in flat(doc.sections[0].text)
    assert reader.problems == [
        "OCR without the 'klingon' model: apt-get install tesseract-ocr-klingon"
    ]


# -- Through ingest and search -------------------------------------------------------------------


def test_scans_are_found_by_what_they_say_and_cited_by_page(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    builders.image_pdf(folder / "scan.pdf", [page(lines) for lines in PAGES])
    page(["The cafeteria serves lunch from noon until two."]).save(folder / "memo.png")
    with open_store(tmp_path / "index.sqlite") as store:
        embedder = CountingEmbedder()
        reader = ocr_reader(cache=tmp_path / "ocr-cache", dpi=200)
        report = Ingester(store, embedder, ingest_options(), ocr=reader).run(folder)
        assert [r.outcome for r in report.results] == [Outcome.ADDED, Outcome.ADDED]
        assert sorted(r.ocr_pages for r in report.results) == [1, 3]
        search = searcher(store, embedder)
        for query, said, citation in [
            ("warranty covers parts", "warranty", "scan.pdf#page=1"),
            ("年次有給休暇は何日", "有給休暇", "scan.pdf#page=2"),
            ("hearing aids covered", "Hearing", "scan.pdf#page=3"),
            ("cafeteria lunch", "cafeteria", "memo.png"),
        ]:
            top = search.search(query, Mode.KEYWORD, top=1)[0]
            # Pages read on from one another into one chunk; the words cite their own page.
            assert top.citation_at(top.text.index(said)) == citation
            assert top.ocr is not None and top.ocr > 0.5


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yomitoki", *args], capture_output=True, text=True, env=env
    )


def test_without_tesseract_one_line_names_the_package_and_the_rest_is_ingested(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    page(PAGES[0]).save(folder / "scan.png")
    builders.image_pdf(folder / "scan.pdf", [page(PAGES[1])])
    (folder / "notes.md").write_text("# Notes\n\nThe budget review is in March.\n")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "YOMITOKI_EMBEDDER": "hash"}
    done = cli(["ingest", str(folder), "--index", str(tmp_path / "i.sqlite")], env)
    assert done.returncode == 1
    assert "1 added" in done.stdout and "2 failed" in done.stdout
    install = [line for line in done.stderr.splitlines() if "apt-get install tesseract-ocr" in line]
    warning = [line for line in install if line.startswith("warning:")]
    assert len(warning) == 1, done.stderr
    assert "tesseract-ocr-jpn" in warning[0]


def test_a_reingest_reads_unchanged_pages_from_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    builders.image_pdf(folder / "scan.pdf", [page(lines) for lines in PAGES])
    index = tmp_path / "i.sqlite"
    env = {**os.environ, "YOMITOKI_EMBEDDER": "hash"}
    first = cli(["ingest", str(folder), "--index", str(index), "--json"], env)
    assert first.returncode == 0, first.stderr
    # A new chunk size cuts the document again, so it is parsed again; with no Tesseract on
    # the PATH, its pages can only come from the cache.
    empty = tmp_path / "bin"
    empty.mkdir()
    env |= {"PATH": str(empty), "YOMITOKI_CHUNK_SIZE": "400", "YOMITOKI_CHUNK_OVERLAP": "0"}
    again = cli(["ingest", str(folder), "--index", str(index)], env)
    assert again.returncode == 0, again.stderr
    assert "1 updated" in again.stdout and "3 pages read by OCR" in again.stdout
    assert "tesseract" not in again.stderr
    found = cli(["search", "有給休暇", "--index", str(index), "--mode", "keyword"], env)
    assert "有給休暇は十日とする" in found.stdout


def test_ocr_off_turns_scans_into_clear_failures(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    page(PAGES[0]).save(folder / "scan.png")
    env = {**os.environ, "YOMITOKI_EMBEDDER": "hash", "YOMITOKI_OCR": "off"}
    done = cli(["ingest", str(folder), "--index", str(tmp_path / "i.sqlite")], env)
    assert done.returncode == 1
    assert "scan.png: an image's text is read by OCR, which is off (setting ocr)" in done.stderr


# -- In the app ----------------------------------------------------------------------------------


def test_the_app_marks_scanned_citations_and_draws_the_cited_page(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tests.servers import settings_for
    from yomitoki.server.app import create_app

    docs = tmp_path / "docs"
    docs.mkdir()
    frames = [page(PAGES[0]), page(["The dental plan covers two cleanings a year."])]
    frames[0].save(docs / "fax.tiff", save_all=True, append_images=frames[1:])
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        options = ingest_options(chunk_size=100, chunk_overlap=0)
        reader = ocr_reader(cache=None, dpi=200)
        Ingester(store, CountingEmbedder(), options, ocr=reader).run(docs)
    with TestClient(create_app(settings_for(index))) as client:
        question = {"messages": [{"role": "user", "content": "How many dental cleanings?"}]}
        points = client.post("/chat", json=question).json()["context"]["data_points"]
        assert "fax.tiff#page=2" in points["citations"]
        assert 0.5 < points["ocr"]["fax.tiff#page=2"] <= 1
        drawn = client.get("/content/fax.tiff", params={"page": 2})
        assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(drawn.content)) as shown:
            assert shown.size == SMALL_PAGE
        assert client.get("/content/fax.tiff", params={"page": 3}).status_code == 404


def test_columns_of_characters_are_told_from_lines() -> None:
    lines = ["第一条　休憩時間は六十分とする。", "第二条　賞与は年二回支給する。"]
    assert looks_vertical(builders.page_image(lines, vertical=True, size=(1000, 1300)))
    assert looks_vertical(builders.page_image(lines[:1], vertical=True, size=(1000, 1300)))
    assert not looks_vertical(builders.page_image(lines, size=(1400, 600)))
    assert not looks_vertical(page(PAGES[0]))
    assert not looks_vertical(Image.new("L", (100, 100), 255))


def test_table_rules_are_taken_off_but_text_and_shaded_boxes_stay() -> None:
    image = page(PAGES[0])
    drawn = ImageDraw.Draw(image)
    drawn.line([(20, 40), (1380, 40)], fill=0, width=3)  # a rule across the page
    drawn.line([(60, 60), (60, 500)], fill=0, width=3)  # a rule down it
    drawn.rectangle([(900, 380), (1300, 480)], fill=120)  # a shaded box
    cleaned = np.asarray(without_rules(image))
    assert (cleaned[38:43, 100:1300] == 255).all()
    assert (cleaned[100:450, 58:63] == 255).all()
    assert (cleaned[400:460, 950:1250] == 120).all()
    text_area = np.asarray(image)[190:260, 150:1300]
    assert (cleaned[190:260, 150:1300] == text_area).all()


def test_the_little_a_text_layer_holds_on_a_scanned_page_is_kept_before_the_ocr(
    tmp_path: Path,
    reader,  # type: ignore[no-untyped-def]
) -> None:
    # A cover: a picture of text, and one short line of real text (its title) in the layer.
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "cover.pdf"
    cover = canvas.Canvas(str(path), pagesize=A4)
    cover.setFont("HeiseiMin-W3", 14)
    cover.drawString(50, 800, "就業規則")
    cover.drawImage(ImageReader(page(PAGES[1])), 30, 400, width=540, height=200)
    cover.showPage()
    cover.save()
    (section,) = parse_file(path, BIG, reader).sections
    assert section.text.startswith("就業規則\n")
    assert "有給休暇は十日とする" in flat(section.text)
    assert section.ocr is not None


def test_file_names_that_look_like_markup_are_reported_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a[bold]b.png").write_bytes(b"")  # fails: empty
    (folder / "[red]x.md").write_text("# Notes\n\nThe budget review is in March.\n")
    env = {**os.environ, "YOMITOKI_EMBEDDER": "hash"}
    done = cli(["ingest", str(folder), "--index", str(tmp_path / "i.sqlite")], env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "error: a[bold]b.png: file is empty" in done.stderr
    assert "1 added" in done.stdout


def test_tesseract_runs_with_one_openmp_thread_and_this_process_keeps_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limit is for Tesseract's processes only: set here, it would pin the embedding
    engine (OpenMP too, loaded later) to one thread."""
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "environ", os.environ)
    Tesseract(["eng"], 30.0).check()
    assert "OMP_THREAD_LIMIT" not in os.environ
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['OMP_THREAD_LIMIT'])"],
        env=dict(pytesseract.pytesseract.environ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")  # the user's own choice wins
    assert pytesseract.pytesseract.environ["OMP_THREAD_LIMIT"] == "4"


def test_a_frame_over_the_pixel_cap_is_refused_from_its_header_at_ingest_and_on_page(
    tmp_path: Path,
) -> None:
    """A 150-megapixel second frame (a small file: one bit a pixel, compressed) is refused
    at ingest and never decoded by /page or /content: 413 with the cap named; a burst of
    drawings past ``page_renders`` gets 503 instead of waiting in memory."""
    from fastapi.testclient import TestClient

    from tests.servers import settings_for
    from yomitoki.server.app import create_app

    docs = tmp_path / "docs"
    docs.mkdir()
    first = page(["The dental plan covers two cleanings a year."]).convert("1")
    bomb = Image.new("1", (12250, 12250), 1)
    first.save(docs / "fax.tiff", save_all=True, append_images=[bomb], compression="group4")
    assert (docs / "fax.tiff").stat().st_size < 200_000
    del bomb
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        reader = ocr_reader(cache=None, dpi=200)
        report = Ingester(store, CountingEmbedder(), ingest_options(), ocr=reader).run(docs)
    assert "pixels" in str(report.results[0])  # the frame is a warning on its file
    with TestClient(create_app(settings_for(index, page_renders=1))) as client:
        for route in ("/page/fax.tiff", "/content/fax.tiff"):
            refused = client.get(route, params={"page": 2})
            assert refused.status_code == 413, refused.text
            assert "ocr_max_megapixels" in refused.json()["error"]["message"]
            assert client.get(route, params={"page": 1}).status_code == 200
        with client.app.state.service.drawing():  # type: ignore[attr-defined]
            busy = client.get("/page/fax.tiff", params={"page": 1})
            assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
        assert client.get("/page/fax.tiff", params={"page": 1}).status_code == 200


def test_a_large_frame_under_the_cap_is_drawn_scaled_down(tmp_path: Path) -> None:
    from yomitoki.server.files import page_image
    from yomitoki.server.highlight import MAX_PIXELS

    Image.new("L", (6000, 4000), 255).save(tmp_path / "big.png")
    drawn = page_image(tmp_path / "big.png", 1, 100_000_000)
    assert drawn.width * drawn.height <= MAX_PIXELS and drawn.width / drawn.height == 1.5
    with pytest.raises(FileTooLargeError):
        page_image(tmp_path / "big.png", 1, 20_000_000)
