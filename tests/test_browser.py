"""The web UI in a real headless Chromium (Debian's package) driven by Playwright.

Screenshots of the main states go to test-artifacts/. Without a Chromium on the machine the
tests skip with that reason, except in CI (``CI`` set), where .ci/run installs it: there they
fail.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Dialog, Page, expect, sync_playwright

from tests import builders
from tests.browsers import ARTIFACTS, BROWSER_TESTS, launch
from tests.conftest import CountingEmbedder
from tests.options import ingest_options, ocr_reader, open_store
from tests.servers import served, settings_for
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app
from yomitoki.settings import Settings, load_settings

pytestmark = BROWSER_TESTS


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    yield from _site(tmp_path, settings_for)


def _site(tmp_path: Path, settings: Callable[[Path], Settings]) -> Iterator[str]:
    """The UI over a small index of a benefits PDF and a Japanese leave rule."""
    docs = tmp_path / "docs"
    docs.mkdir()
    builders.pdf(
        docs / "benefits.pdf",
        [
            ["Overview. Zava offers two health plans to every employee."],
            ["Dental. The dental plan covers two cleanings a year and fillings at 80 percent."],
            ["Vision. Glasses are covered once every two years."],
        ],
    )
    builders.text(docs / "休暇.md", "# 休暇\n\n年次有給休暇は入社半年後に10日付与されます。\n")
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    app: FastAPI = create_app(settings(index))
    for url, _ in served(app):
        yield url


def _opened(site: str) -> Iterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
        tab = context.new_page()
        tab.goto(site)
        yield tab
        browser.close()


@pytest.fixture
def page(site: str) -> Iterator[Page]:
    yield from _opened(site)


@pytest.fixture
def calibrated(tmp_path: Path) -> Iterator[Page]:
    """The same site deciding with the shipped calibration (the tests' servers answer whenever
    a sentence is found)."""
    for url in _site(tmp_path, lambda index: load_settings(index=index, embedder="hash")):
        yield from _opened(url)


def test_ask_see_the_answer_and_open_the_cited_page(page: Page) -> None:
    tab = page  # a playwright Page
    tab.fill("#question", "How many cleanings does the dental plan cover?")
    tab.screenshot(path=str(ARTIFACTS / "1-question.png"))
    tab.click("#send")
    answer = tab.locator(".message.assistant .text")
    expect(answer).to_contain_text("two cleanings a year", timeout=30_000)
    # The citation is a numbered link because the server returned it.
    link = tab.locator(".message.assistant a.citation").first
    expect(link).to_have_text("1")
    assert link.get_attribute("title") == "benefits.pdf#page=2"
    tab.screenshot(path=str(ARTIFACTS / "2-answer.png"))
    link.click()
    panel = tab.locator("#panel")
    expect(panel).to_be_visible()
    # The cited page, drawn by the server with the answer's sentence highlighted on it.
    shown = tab.locator("#doc-page")
    expect(shown).to_have_attribute("data-highlight", "found")
    wanted = "covers+two+cleanings+a+year"
    assert wanted in (shown.get_attribute("data-src") or "")
    assert (shown.get_attribute("data-src") or "").startswith("/page/benefits.pdf?page=2&")
    assert shown.evaluate("img => img.complete && img.naturalWidth > 500")
    opened = tab.locator("#doc-open")
    expect(opened).to_have_attribute("href", "/content/benefits.pdf#page=2")
    tab.screenshot(path=str(ARTIFACTS / "3-document.png"))
    tab.click("[data-tab=passages]")
    expect(tab.locator("#tab-passages")).to_contain_text("The dental plan covers two cleanings")
    tab.click("[data-tab=thoughts]")
    expect(tab.locator("#tab-thoughts")).to_contain_text("Search query")
    tab.screenshot(path=str(ARTIFACTS / "4-thoughts.png"))
    # The conversation survives a reload: it is kept in the browser.
    tab.reload()
    expect(tab.locator(".message.user")).to_have_text(
        "How many cleanings does the dental plan cover?"
    )


def test_japanese_ui_and_phone_screen(page: Page) -> None:
    tab = page
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.click("#menu")  # on a phone the header's tools are in a menu
    tab.select_option("#language", "ja")
    expect(tab.locator("#send")).to_have_text("質問")
    tab.fill("#question", "有給休暇は何日付与されますか？")
    tab.click("#send")
    answer = tab.locator(".message.assistant .text")
    expect(answer).to_contain_text("10日付与されます", timeout=30_000)
    tab.locator("a.citation").first.click()
    # A Markdown document opens as text, at the cited sentence.
    frame = tab.locator("#doc-frame")
    expect(frame).to_have_attribute("data-highlight", "found")
    assert (frame.get_attribute("src") or "").startswith("/view/%E4%BC%91%E6%9A%87.md?highlight=")
    box = tab.locator("#panel").bounding_box()
    assert box is not None and box["width"] <= 390
    tab.screenshot(path=str(ARTIFACTS / "5-phone-ja.png"))


def test_a_refusal_says_which_name_no_passage_mentions(calibrated: Page) -> None:
    """Asked of an office or a plan the documents never name, the answer is "I don't know"
    and names it, on a phone in Japanese and at a desk in English."""
    tab = calibrated
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.click("#menu")
    tab.select_option("#language", "ja")
    tab.fill("#question", "東京オフィスでは年次有給休暇は何日付与されますか？")
    tab.click("#send")
    answer = tab.locator(".message.assistant .text")
    expect(answer).to_contain_text("わかりません", timeout=30_000)
    expect(answer).to_contain_text("見つかった文書はどれも「東京」に触れていません。")
    # The answer is drawn once more when the stream ends: measure it after that.
    expect(tab.locator("#send")).to_be_visible()
    box = answer.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    tab.screenshot(path=str(ARTIFACTS / "7-refusal-named-phone-ja.png"))
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.select_option("#language", "en")
    tab.click("#new-chat")
    expect(tab.locator(".message")).to_have_count(0)
    tab.fill("#question", "How many cleanings does the Gold dental plan cover?")
    tab.click("#send")
    expect(answer).to_contain_text("I don't know", timeout=30_000)
    expect(answer).to_contain_text("None of the passages found mentions “Gold”.")
    expect(tab.locator(".message.assistant a.citation")).to_have_count(0)
    tab.screenshot(path=str(ARTIFACTS / "7-refusal-named-desk.png"))


NORTHWIND = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "northwind" / "docs"


@pytest.mark.skipif(not NORTHWIND.exists(), reason="../shared/datasets/northwind is absent")
def test_northwind_answer_links_to_the_cited_pdf_page(tmp_path: Path) -> None:
    index = tmp_path / "northwind.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(NORTHWIND)
    ARTIFACTS.mkdir(exist_ok=True)
    for url, _ in served(create_app(settings_for(index))):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="en-US")
            tab.goto(url)
            tab.fill("#question", "What is the deductible for Northwind Health Plus?")
            tab.click("#send")
            link = tab.locator(".message.assistant a.citation").first
            expect(link).to_have_text("1", timeout=30_000)
            citation = link.get_attribute("title") or ""
            assert citation.startswith("Northwind_Health_Plus_Benefits_Details.pdf#page=")
            link.click()
            src = f"/content/{citation}"
            expect(tab.locator("#doc-open")).to_have_attribute("href", src)
            shown = tab.locator("#doc-page")
            expect(shown).to_have_attribute("data-highlight", "found")
            # The page view is scrolled so that the highlighted sentence is in sight.
            drawn = tab.request.get(url + (shown.get_attribute("data-src") or ""))
            top = float(drawn.headers["x-highlight-box"].split(",")[1])
            seen = shown.evaluate(
                "(img, top) => { const v = img.parentElement; const y = top * img.clientHeight;"
                " return [v.scrollTop <= y, y <= v.scrollTop + v.clientHeight]; }",
                top,
            )
            assert seen == [True, True]
            pdf = tab.request.get(url + src.split("#")[0])
            assert pdf.ok and pdf.body().startswith(b"%PDF")
            tab.screenshot(path=str(ARTIFACTS / "6-northwind.png"))
            browser.close()


# -- hostile documents and hostile pages, in the browser ----------------------------------------

EVIL = (
    "<html><body><h1>Parking</h1><p>Visitor parking is on level two of the garage.</p>"
    "<script>parent.document.title = 'pwned'; alert('script')</script>"
    "<img src=x onerror=\"alert('img'); parent.document.title = 'pwned'\"></body></html>"
)


def test_a_planted_script_never_runs_when_its_citation_is_opened(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    builders.text(docs / "evil.html", EVIL)
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    for url, _ in served(create_app(settings_for(index))):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="en-US")
            dialogs: list[str] = []

            def on_dialog(dialog: Dialog, seen: list[str] = dialogs) -> None:
                seen.append(dialog.message)
                dialog.dismiss()

            tab.on("dialog", on_dialog)
            tab.goto(url)
            tab.fill("#question", "Where is visitor parking?")
            tab.click("#send")
            link = tab.locator(".message.assistant a.citation").first
            expect(link).to_have_attribute("title", "evil.html", timeout=30_000)
            link.click()
            frame = tab.locator("#doc-frame")
            expect(frame).to_have_attribute("data-highlight", "found")
            assert (frame.get_attribute("src") or "").startswith("/view/evil.html?highlight=")
            assert frame.get_attribute("sandbox") == ""
            shown = tab.frame_locator("#doc-frame").locator("body")
            expect(shown).to_contain_text("Visitor parking is on level two")
            # A script of the document would have run by the frame's load event.
            child = next(f for f in tab.frames if "/view/evil.html" in f.url)
            child.wait_for_load_state("load")
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / "7-evil-html-as-text.png"))
            # Opened directly, as a link in a mail would: still text, still no script.
            tab.goto(f"{url}/content/evil.html", wait_until="load")
            assert dialogs == []
            assert tab.title() != "pwned"
            browser.close()


ATTACK_PAGE = """<!doctype html><title>cats</title><script>
const form = new FormData();
form.append("file", new Blob(["<script>alert(1)</scr" + "ipt>"], {type: "text/html"}), "x.html");
Promise.allSettled([
  fetch("TARGET/documents", {method: "POST", mode: "no-cors", body: form}),
  fetch("TARGET/chat", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"},
    body: JSON.stringify({messages: [{role: "user", content: "spend"}]})}),
]).then(() => { document.title = "sent"; });
</script>"""


def test_another_site_cannot_upload_or_ask(site: str, tmp_path: Path) -> None:
    import http.server
    import threading

    folder = tmp_path / "attacker"
    folder.mkdir()
    (folder / "index.html").write_text(ATTACK_PAGE.replace("TARGET", site))

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    attacker = http.server.ThreadingHTTPServer(("127.0.0.2", 0), handler)  # another origin
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page()
            before = tab.request.get(f"{site}/documents").json()["documents"]
            host, port = attacker.server_address[:2]
            tab.goto(f"http://{host!s}:{port}/index.html")
            expect(tab).to_have_title("sent", timeout=15_000)
            after = tab.request.get(f"{site}/documents").json()["documents"]
            assert after == before
            assert "x.html" not in {d["name"] for d in after}
            browser.close()
    finally:
        attacker.shutdown()
        attacker.server_close()


def test_signing_in_keeps_no_key_in_the_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    builders.text(docs / "休暇.md", "# 休暇\n\n年次有給休暇は入社半年後に10日付与されます。\n")
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    for url, _ in served(create_app(settings_for(index, api_keys=["k-123456"]))):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="en-US")
            tab.goto(url)
            tab.click("#open-settings")
            tab.fill("#opt-key", "k-123456")
            tab.click("#settings button[value=close]")
            expect(tab.locator("#auth-status")).to_have_text("Signed in")
            tab.fill("#question", "有給休暇は何日付与されますか？")
            tab.click("#send")
            answer = tab.locator(".message.assistant .text")
            expect(answer).to_contain_text("10日付与されます", timeout=30_000)
            tab.locator("a.citation").first.click()
            shown = tab.frame_locator("#doc-frame").locator("body")
            expect(shown).to_contain_text("10日付与されます")  # the cookie works
            stored = tab.evaluate("JSON.stringify({...localStorage, ...sessionStorage})")
            cookies = tab.evaluate("document.cookie")
            assert "k-123456" not in stored and "k-123456" not in cookies
            assert cookies == ""  # the session cookie is HttpOnly
            browser.close()


def test_a_scanned_citation_is_marked_ocr_and_opens_its_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    frames = [
        builders.page_image(["Overview. Zava offers two health plans."], size=(1400, 500)),
        builders.page_image(["Dental. The plan covers two cleanings a year."], size=(1400, 500)),
    ]
    frames[0].save(docs / "fax.tiff", save_all=True, append_images=frames[1:])
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        reader = ocr_reader(cache=None, dpi=200)
        options = ingest_options(chunk_size=100, chunk_overlap=0)
        Ingester(store, CountingEmbedder(), options, ocr=reader).run(docs)
    ARTIFACTS.mkdir(exist_ok=True)
    for url, _ in served(create_app(settings_for(index))):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="ja-JP")
            tab.goto(url)
            expect(tab.locator("html")).to_have_attribute("lang", "ja")  # the browser's language
            tab.fill("#question", "How many dental cleanings a year?")
            tab.click("#send")
            badge = tab.locator(".sources .ocr-badge").first
            expect(badge).to_have_text("OCR", timeout=30_000)
            assert (badge.get_attribute("title") or "").startswith("スキャン画像から OCR")
            tab.locator(".message.assistant a.citation").first.click()
            # The scanned page, read again by OCR to find the cited sentence's words on it.
            shown = tab.locator("#doc-page")
            expect(shown).to_have_attribute("data-highlight", "found")
            assert (shown.get_attribute("data-src") or "").startswith("/page/fax.tiff?page=2&")
            opened = tab.locator("#doc-open")
            expect(opened).to_have_attribute("href", "/content/fax.tiff?page=2")
            tab.screenshot(path=str(ARTIFACTS / "9-scan-ocr.png"))
            browser.close()
