"""The web UI signed in as someone: who it shows, what they may see, and uploading for their
groups; by key and through the organisation's OpenID provider (a local test issuer)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from tests import builders
from tests.browsers import BROWSER_TESTS, launch
from tests.conftest import CountingEmbedder
from tests.oidc_issuer import AUDIENCE, Issuer
from tests.options import open_store
from tests.servers import served
from yomitoki import assemble
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app
from yomitoki.settings import load_settings

pytestmark = BROWSER_TESTS


def _index(tmp_path: Path, **extra: Any) -> tuple[Path, Any]:
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "public").mkdir()
    builders.text(docs / "hr" / "pay.md", "# Pay\n\nThe salary band review is in May.\n")
    builders.text(docs / "public" / "menu.md", "# Menu\n\nThe canteen serves miso soup.\n")
    index = tmp_path / "index.sqlite"
    settings = load_settings(
        index=index, embedder="hash", min_answerability=0.0,
        permissions=[{"path": "hr/**", "groups": ["hr"]}], **extra,
    )  # fmt: skip
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), assemble.ingest_options(settings)).run(docs)
    return index, settings


def test_signed_in_by_key_the_ui_shows_who_and_their_documents(tmp_path: Path) -> None:
    users = [{"name": "alice", "key_sha256": hashlib.sha256(b"k-alice-1").hexdigest(),
              "groups": ["hr"]},
             {"name": "bob", "key_sha256": hashlib.sha256(b"k-bob-1").hexdigest()}]  # fmt: skip
    _, settings = _index(tmp_path, users=users)
    upload = tmp_path / "note.md"
    upload.write_text("# Note\n\nThe offsite is in June.\n")
    for url, _ in served(create_app(settings)):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="ja-JP")
            tab.goto(url)
            expect(tab.locator("#whoami")).to_have_text("サインインしていません")
            tab.fill("#question", "salary band review")
            tab.click("#send")
            expect(tab.locator(".message.assistant")).to_contain_text("先にサインインしてください")
            tab.click("#open-settings")
            tab.fill("#opt-key", "k-alice-1")
            tab.click("#settings button[value=close]")
            expect(tab.locator("#whoami")).to_have_text("alice (hr)")
            tab.click("#new-chat")
            tab.fill("#question", "When is the salary band review?")
            tab.click("#send")
            expect(tab.locator(".message.assistant .text")).to_contain_text("May", timeout=30_000)
            tab.locator(".meta button").first.click()
            expect(tab.locator("#tab-thoughts h2").first).to_have_text("検索クエリ")
            tab.click("#open-documents")
            rows = tab.locator("#doc-list tbody tr")
            expect(rows).to_have_count(2)
            expect(tab.locator("#doc-list th.admin-only")).to_be_hidden()
            tab.set_input_files("#upload-file", str(upload))
            tab.click("#upload-send")
            expect(tab.locator("#upload-status")).to_have_text(
                "アップロードしました: uploads/alice/note.md"
            )
            expect(rows).to_have_count(3)
            tab.screenshot(path="test-artifacts/8-documents-signed-in.png")
            tab.click("#documents button[value=close]")
            # Alice's chat is kept under her name, passage text and all, until she signs out.
            stored = tab.evaluate("JSON.stringify(localStorage)")
            assert "yomitoki.chats.v2:alice" in stored and "salary band review" in stored
            tab.click("#open-settings")
            tab.click("#sign-out")
            expect(tab.locator("#whoami")).to_have_text("サインインしていません")
            tab.click("#settings button[value=close]")
            expect(tab.locator(".message")).to_have_count(0)
            stored = tab.evaluate("JSON.stringify(localStorage)")
            assert "salary band" not in stored and "yomitoki.chats" not in stored
            # The next person at this browser signs in and finds none of Alice's chats.
            tab.click("#open-settings")
            tab.fill("#opt-key", "k-bob-1")
            tab.click("#settings button[value=close]")
            expect(tab.locator("#whoami")).to_have_text("bob")
            tab.reload()
            expect(tab.locator("#whoami")).to_have_text("bob")
            expect(tab.locator("#welcome")).to_be_visible()
            expect(tab.locator(".message")).to_have_count(0)
            browser.close()


def test_the_ui_signs_in_through_the_organisations_provider(tmp_path: Path, issuer: Issuer) -> None:
    _, settings = _index(tmp_path, oidc={"issuer": issuer.url, "audience": AUDIENCE})
    for url, _ in served(create_app(settings)):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page(locale="en-US")
            tab.goto(url)
            expect(tab.locator("#whoami")).to_have_text("Not signed in")
            tab.click("#sso")  # to the provider and back with a code, redeemed by the server
            expect(tab.locator("#whoami")).to_have_text("alice (hr)")
            assert tab.evaluate("document.cookie") == ""  # no token in the page
            tab.click("#open-documents")
            expect(tab.locator("#doc-list tbody tr")).to_have_count(2)
            browser.close()
