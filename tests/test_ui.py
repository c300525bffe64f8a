"""Every screen of the web UI as a person meets it, on a phone (390×844) and at a desk
(1366×900), in Japanese and English: nothing runs off the screen, every control can be
reached, the cited page fits its pane and its highlight covers the cited sentence (checked
against the PDF's own text), no badge opens a line, documents are replaced and deleted after a
confirm step, and axe-core finds no serious or critical violation. Screenshots of each screen
go to test-artifacts/gallery/ (the README's gallery is taken from there)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import builders
from tests.browsers import ARTIFACTS, BROWSER_TESTS, axe_violations, launch
from tests.conftest import CountingEmbedder
from tests.options import ingest_options, open_store
from tests.servers import served, settings_for
from yomitoki import assemble
from yomitoki.errors import SourceError
from yomitoki.ingest import synced
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app

pytestmark = BROWSER_TESTS

SIZES = {"phone": (390, 844), "desk": (1366, 900)}
FAILING_SHARE = "smb://fileserver/共有/人事"
GALLERY = ARTIFACTS / "gallery"
#: What may not open a line in Japanese (kinsoku) nor follow a badge.
CLOSING = "。、．，」』）】.,!?！？"
QUESTIONS = {
    "ja": "年次有給休暇は何日もらえますか？",
    "en": "How many dental cleanings does the plan cover a year?",
}
RULES = [
    ["第１条（目的）この規則は、従業員の労働条件を定める。"],
    [
        "第22条（年次有給休暇）",
        "１ 採用日から６か月間継続勤務し、所定労働日の８割以上出勤した労働者に対しては、",
        "10日の年次有給休暇を与える。",
        "２ 年次有給休暇は、労働者の請求する時季に与える。",
    ],
]
BENEFITS = [
    ["Overview. Zava offers two health plans to every employee."],
    [
        "Dental. The dental plan covers two cleanings a year and fillings at 80 percent",
        "of the allowed amount after the deductible is met.",
        "Orthodontics are covered for children under 19 after a 12 month wait.",
    ],
    ["Vision. Glasses are covered once every two years."],
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    docs = tmp_path_factory.mktemp("ui") / "docs"
    (docs / "hr").mkdir(parents=True)
    builders.pdf(docs / "benefits.pdf", BENEFITS)
    builders.pdf(docs / "hr" / "就業規則.pdf", RULES)
    builders.text(
        docs / "休暇.md",
        "# 休暇\n\n## 特別休暇\n\n慶弔休暇は結婚の際に５日付与されます。"
        "年次有給休暇は入社半年後に10日付与されます。\n",
    )
    index = docs.parent / "index.sqlite"
    with open_store(index) as store:
        report = Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    # The syncs an admin sees in the documents dialog: the folder's, and a share that fails.
    kept = assemble.source_cache(settings_for(index))
    synced.record(kept, str(docs), report)
    for _ in range(2):
        synced.record(kept, FAILING_SHARE, SourceError(f"{FAILING_SHARE}: access denied"))
    for url, _ in served(create_app(settings_for(index))):
        yield url, docs


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


def open_ui(browser: Browser, url: str, size: str, lang: str) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(
        locale="ja-JP" if lang == "ja" else "en-US", viewport={"width": width, "height": height}
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(url)
    # The browser's language picks the UI's.
    expect(tab.locator("html")).to_have_attribute("lang", lang)
    tab.errors = errors  # type: ignore[attr-defined]
    return tab


def shot(tab: Page, size: str, lang: str, name: str) -> None:
    GALLERY.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(GALLERY / f"{size}-{lang}-{name}.png"))


def assert_fits(tab: Page) -> None:
    """No horizontal overflow, and every visible control lies within the screen."""
    width = tab.viewport_size["width"] if tab.viewport_size else 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    outside = tab.evaluate(
        """() => [...document.querySelectorAll('button, a, select, input, textarea, [tabindex]')]
        .filter((el) => el.offsetParent !== null && !el.closest('dialog:not([open])'))
        .filter((el) => { const r = el.getBoundingClientRect();
          return r.width > 0 && (r.left < -1 || r.right > innerWidth + 1); })
        .map((el) => el.id || el.className || el.tagName)"""
    )
    assert outside == []


def assert_accessible(tab: Page) -> None:
    assert axe_violations(tab) == []


def assert_no_badge_opens_a_line(tab: Page) -> None:
    """Each badge sits on the line of the character before it, and no closing punctuation
    follows a badge."""
    checked = tab.evaluate(
        """(closing) => [...document.querySelectorAll('.message.assistant .cited')].map((span) => {
          const range = document.createRange();
          range.setStart(span.firstChild, 0); range.setEnd(span.firstChild, span.firstChild.length);
          const chars = [...range.getClientRects()]; const char = chars[chars.length - 1];
          const badges = [...span.querySelectorAll('a.citation')]
            .map((a) => a.getBoundingClientRect());
          const next = span.nextSibling && span.nextSibling.textContent || '';
          return { sameLine: badges.every((b) => b.top < char.bottom && b.left >= char.right - 1),
                   before: span.firstChild.data, after: next !== '' && closing.includes(next[0]) };
        })""",
        CLOSING,
    )
    assert checked, "no badge"
    for one in checked:
        assert one["sameLine"] and not one["after"], one


def flat(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def assert_highlight_covers(tab: Page, url: str, docs: Path) -> None:
    """The drawn highlight's box holds the cited sentence, read from the PDF itself."""
    img = tab.locator("#doc-page")
    expect(img).to_have_attribute("data-highlight", "found", timeout=20_000)
    src = img.get_attribute("data-src") or ""
    query = parse_qs(urlsplit(src).query)
    sentence, number = query["highlight"][0], int(query["page"][0])
    name = tab.locator("#doc-title").inner_text().split("#")[0]
    drawn = tab.request.get(url + src)
    left, top, right, bottom = map(float, drawn.headers["x-highlight-box"].split(","))
    pdf = pdfium.PdfDocument(docs / name)
    page = pdf[number - 1]
    width, height = page.get_size()
    text = page.get_textpage().get_text_bounded(
        left * width - 1, (1 - bottom) * height - 1, right * width + 1, (1 - top) * height + 1
    )
    wanted = flat(sentence).rstrip("。.")
    assert wanted and wanted in flat(text), (sentence, text)
    pdf.close()


def assert_page_fitted_and_highlight_in_sight(tab: Page) -> None:
    fit = tab.evaluate(
        """() => { const img = document.getElementById('doc-page'); const view = img.parentElement;
          const box = img.dataset.box.split(',').map(Number);
          const y = box[1] * img.clientHeight;
          return { ratio: img.clientWidth / view.clientWidth,
                   seen: view.scrollTop <= y && y <= view.scrollTop + view.clientHeight }; }"""
    )
    assert 0.9 <= fit["ratio"] <= 1.0 and fit["seen"], fit


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_screen_fits_reads_and_works(
    browser: Browser, site: tuple[str, Path], size: str, lang: str
) -> None:
    url, docs = site
    tab = open_ui(browser, url, size, lang)
    phone = size == "phone"
    if phone:
        # The header's tools fold into a menu; the language is chosen there.
        expect(tab.locator("#open-settings")).to_be_hidden()
        tab.click("#menu")
        expect(tab.locator("#menu")).to_have_attribute("aria-expanded", "true")
        for control in ("#open-documents", "#new-chat", "#open-settings", "#language"):
            expect(tab.locator(control)).to_be_in_viewport()
        tab.select_option("#language", lang)
        assert_fits(tab)
        shot(tab, size, lang, "0-menu")
        tab.keyboard.press("Escape")
        expect(tab.locator("#open-settings")).to_be_hidden()
    else:
        for control in ("#open-documents", "#new-chat", "#open-settings", "#language"):
            expect(tab.locator(control)).to_be_in_viewport()
    # The first screen: what is indexed, and questions to start with.
    indexed = {"ja": "3 件の文書を登録済み", "en": "3 documents indexed"}[lang]
    expect(tab.locator("#indexed")).to_contain_text(indexed)
    expect(tab.locator("#indexed")).to_contain_text("就業規則")
    expect(tab.locator("#examples button")).to_have_count(3)
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "1-welcome")

    # An answer, its badges after the punctuation and on its line.
    tab.fill("#question", QUESTIONS[lang])
    tab.press("#question", "Enter")
    expect(tab.locator(".message.assistant a.citation").first).to_be_visible(timeout=30_000)
    expect(tab.locator(".message.assistant .sources")).to_be_visible()
    assert_no_badge_opens_a_line(tab)
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "2-answer")

    # The cited page: fitted to the pane, the sentence highlighted and in sight.
    tab.locator(".message.assistant a.citation").first.click()
    panel = tab.locator("#panel")
    expect(panel).to_be_visible()
    expect(tab.locator("#doc-page")).to_have_attribute("data-highlight", "found", timeout=20_000)
    assert_highlight_covers(tab, url, docs)
    assert_page_fitted_and_highlight_in_sight(tab)
    expect(tab.locator("#close-panel")).to_be_in_viewport()
    if phone:  # a sheet over the whole screen
        box = panel.bounding_box()
        assert box is not None and box["x"] == 0 and box["width"] == SIZES[size][0]
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "3-page")
    tab.click("#zoom-in")
    expect(tab.locator("#zoom-level")).to_have_text("125%")
    ratio = tab.evaluate("(() => { const i = document.getElementById('doc-page');"
                         " return i.clientWidth / i.parentElement.clientWidth; })()")  # fmt: skip
    assert 1.15 < ratio < 1.3
    tab.click("#zoom-fit")
    expect(tab.locator("#zoom-level")).to_have_text("100%")

    # The passages: all of them, the opened one marked; the thought process in words.
    tab.click("[data-tab=passages]")
    passages = tab.locator("#tab-passages .passage")
    assert passages.count() >= 2
    expect(tab.locator("#tab-passages .passage.opened").first).to_be_visible()
    assert_accessible(tab)
    shot(tab, size, lang, "4-passages")
    tab.click("[data-tab=thoughts]")
    thoughts = tab.locator("#tab-thoughts")
    expect(thoughts.locator("[data-code=results] tbody tr")).to_have_count(3)
    decision = {"ja": "回答しました", "en": "Answered"}[lang]
    expect(thoughts.locator(".decision")).to_contain_text(decision)
    expect(thoughts.locator("details pre").first).to_be_hidden()  # the raw JSON, one click away
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "5-thoughts")
    tab.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # A document without pages opens as text at the cited sentence.
    tab.fill("#question", "慶弔休暇は何日？")
    tab.press("#question", "Enter")
    source = tab.locator(".message.assistant").last.locator(".sources a[data-citation='休暇.md']")
    source.click()
    frame = tab.locator("#doc-frame")
    expect(frame).to_have_attribute("data-highlight", "found", timeout=20_000)
    assert (frame.get_attribute("src") or "").endswith("#cited")
    assert frame.get_attribute("sandbox") == ""
    mark = tab.frame_locator("#doc-frame").locator("mark#cited")
    expect(mark).to_have_text("慶弔休暇は結婚の際に５日付与されます")
    expect(mark).to_be_in_viewport()
    shot(tab, size, lang, "6-markdown")
    tab.click("#close-panel")
    assert tab.errors == []  # type: ignore[attr-defined]
    tab.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_documents_are_listed_replaced_and_deleted_after_a_confirm_step(
    browser: Browser, site: tuple[str, Path], size: str, lang: str, tmp_path: Path
) -> None:
    url, _ = site
    tab = open_ui(browser, url, size, lang)
    note = tmp_path / f"memo-{size}-{lang}.md"
    note.write_text("# Memo\n\nThe offsite is in June.\n", encoding="utf-8")
    if size == "phone":
        tab.click("#menu")
    tab.click("#open-documents")
    rows = tab.locator("#doc-list tbody tr")
    expect(rows.first).to_be_visible()
    before = rows.count()
    expect(rows.filter(has_text="hr/就業規則.pdf")).to_contain_text("2")  # its pages
    # The admin sees how each folder's and source's last sync went.
    syncs = tab.locator("#sync-list li")
    expect(syncs).to_have_count(2)
    added = {"ja": "追加 3", "en": "3 added"}[lang]
    expect(syncs.filter(has_text="/docs")).to_contain_text(added)
    failed = {"ja": "直近 2 回の同期に失敗", "en": "the last 2 syncs failed"}[lang]
    failing = syncs.filter(has_text=FAILING_SHARE)
    expect(failing).to_contain_text(failed)
    # It never ran through: no counts are shown for it, only when it was last tried.
    expect(failing).to_contain_text({"ja": "最終試行", "en": "last tried"}[lang])
    expect(failing).not_to_contain_text({"ja": "追加", "en": "added"}[lang])
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "7-documents")
    tab.set_input_files("#upload-file", str(note))
    tab.click("#upload-send")
    expect(rows).to_have_count(before + 1)
    # The same name again: nothing is replaced until the person says so.
    note.write_text("# Memo\n\nThe offsite moved to July.\n", encoding="utf-8")
    tab.set_input_files("#upload-file", str(note))
    tab.click("#upload-send")
    confirm = tab.locator("#confirm")
    expect(confirm).to_be_visible()
    expect(tab.locator("#confirm-text")).to_contain_text(note.name)
    assert_accessible(tab)
    shot(tab, size, lang, "8-replace")
    tab.click("#confirm-yes")
    replaced = {"ja": "置き換えました", "en": "Replaced"}[lang]
    expect(tab.locator("#upload-status")).to_contain_text(replaced)
    expect(rows).to_have_count(before + 1)
    content = tab.request.get(f"{url}/content/uploads/{note.name}").text()
    assert "July" in content
    # Deleting asks first; cancel keeps it, confirming removes it.
    row = rows.filter(has_text=note.name)
    row.locator("button.remove").click()
    tab.click("#confirm-no")
    expect(rows).to_have_count(before + 1)
    row.locator("button.remove").click()
    tab.click("#confirm-yes")
    expect(rows).to_have_count(before)
    removed = {"ja": "削除しました", "en": "Deleted"}[lang]
    expect(tab.locator("#upload-status")).to_contain_text(removed)
    assert tab.request.get(f"{url}/content/uploads/{note.name}").status == 404
    assert tab.errors == []  # type: ignore[attr-defined]
    tab.context.close()


@pytest.mark.parametrize("width", [360, 768])
def test_nothing_runs_off_a_small_phone_or_a_tablet(
    browser: Browser, site: tuple[str, Path], width: int
) -> None:
    url, _ = site
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(url)
    expect(tab.locator("#examples button")).to_have_count(3)
    assert_fits(tab)
    tab.locator("#examples button").first.click()
    expect(tab.locator(".message.assistant .sources")).to_be_visible(timeout=30_000)
    assert_fits(tab)
    tab.locator(".message.assistant .sources a").first.click()
    expect(tab.locator("#close-panel")).to_be_in_viewport()
    assert_fits(tab)
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_settings_offer_the_servers_modes_in_the_ui_language(
    browser: Browser, site: tuple[str, Path], size: str, lang: str
) -> None:
    url, _ = site
    tab = open_ui(browser, url, size, lang)
    if size == "phone":
        tab.click("#menu")
    tab.click("#open-settings")
    modes = tab.locator("#opt-mode option")
    expect(modes).to_have_count(3)
    hybrid = {"ja": "ハイブリッド（キーワードとベクトル）", "en": "Hybrid (keyword and vector)"}
    expect(modes.first).to_have_text(hybrid[lang])
    expect(tab.locator("#opt-mode")).to_have_value("hybrid")
    # The server's own mode first, then the others, by the names the demo's clients send.
    assert [modes.nth(i).get_attribute("value") for i in range(3)] == ["hybrid", "text", "vectors"]
    assert_fits(tab)
    assert_accessible(tab)
    shot(tab, size, lang, "9-settings")
    tab.keyboard.press("Escape")  # a dialog closes on Esc
    expect(tab.locator("#settings")).to_be_hidden()
    tab.context.close()
