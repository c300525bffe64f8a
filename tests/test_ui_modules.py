"""The UI's pure modules, unit-tested in the Chromium the browser tests drive: imported by the
page as it imports them (native ES modules, no build step)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests import builders
from tests.browsers import BROWSER_TESTS, launch
from tests.conftest import CountingEmbedder
from tests.options import ingest_options, open_store
from tests.servers import served, settings_for
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    docs = tmp_path_factory.mktemp("docs")
    builders.text(docs / "a.md", "# A\n\nSome text.\n")
    index = docs.parent / "modules.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(docs)
    for url, _ in served(create_app(settings_for(index))):
        with sync_playwright() as p:
            browser = launch(p)
            tab = browser.new_page()
            tab.goto(url)
            yield tab
            browser.close()


def js(value: Any) -> str:
    """``value`` as a JavaScript literal."""
    return json.dumps(value, ensure_ascii=False)


def run(page: Page, module: str, body: str) -> Any:
    """``body`` (an async function body) with module ``m`` imported as the page imports it."""
    return page.evaluate(f"async () => {{ const m = await import('/static/{module}'); {body} }}")


def test_citations_are_numbered_by_first_mention_with_their_first_sentence(page: Page) -> None:
    parts = [
        {"text": "One."},
        {"citations": ["b.pdf#page=2", "a.md"], "sentence": "One."},
        {"text": "Two."},
        {"citations": ["a.md"], "sentence": "Two."},
    ]
    got = run(page, "answer.js", f"return m.numbering({js(parts)});")
    assert got == [
        {"citation": "b.pdf#page=2", "n": 1, "sentence": "One."},
        {"citation": "a.md", "n": 2, "sentence": "One."},
    ]


def test_the_character_before_a_badge_is_a_whole_character(page: Page) -> None:
    # 𠮟 is outside the BMP: two UTF-16 units that must stay together.
    assert run(page, "answer.js", "return m.splitLast('叱る𠮟');") == ["叱る", "𠮟"]
    assert run(page, "answer.js", "return m.splitLast('');") == ["", ""]


def test_the_answer_body_puts_each_badge_with_the_punctuation_before_it(page: Page) -> None:
    parts = [{"text": "十日です。"}, {"citations": ["規則.pdf#page=2"], "sentence": "十日です。"}]
    html = run(
        page,
        "answer.js",
        f"return m.answerBody({js(parts)}, (k) => k, () => {{}}).innerHTML;",
    )
    assert html.startswith('十日です<span class="cited">。<a class="citation"')
    assert 'title="規則.pdf#page=2"' in html and ">1</a></span>" in html


def test_zoom_steps_and_citation_names(page: Page) -> None:
    got = run(
        page,
        "panel.js",
        "return [m.nextZoom(1, 1), m.nextZoom(1, -1), m.nextZoom(3, 1), m.nextZoom(0.5, -1),"
        " m.splitCitation('hr/規則#2.pdf#page=3'), m.splitCitation('a.md'),"
        " m.documentPath('hr/休暇 規程.md')];",
    )
    assert got == [
        1.25,
        0.75,
        3,
        0.5,
        ["hr/規則#2.pdf", "page=3"],
        ["a.md", ""],
        "hr/%E4%BC%91%E6%9A%87%20%E8%A6%8F%E7%A8%8B.md",
    ]


def test_both_languages_have_every_word_and_fill_placeholders(page: Page) -> None:
    got = run(
        page,
        "i18n.js",
        "return [Object.keys(m.TEXT.en).filter((k) => !(k in m.TEXT.ja)),"
        " Object.keys(m.TEXT.ja).filter((k) => !(k in m.TEXT.en)),"
        " m.translate('ja', 'indexedCount', {n: 3}),"
        " m.translate('en', 'removed', {name: 'x.md'}),"
        " m.startLanguage(null, 'ja-JP'), m.startLanguage('en', 'ja-JP'),"
        " m.startLanguage('xx', 'de')];",
    )
    assert got == [[], [], "3 件の文書を登録済み", "Deleted: x.md", "ja", "en", "en"]


def test_every_thought_step_code_has_words_in_both_languages(page: Page) -> None:
    codes = ["query", "results", "prompt", "ignored", "checks"]
    got = run(page, "i18n.js", f"return {js(codes)}.map((c) => [m.TEXT.en[c], m.TEXT.ja[c]]);")
    assert all(en and ja and en != ja for en, ja in got)


def test_the_decision_is_said_in_words_with_its_probability_and_threshold(page: Page) -> None:
    step = {
        "description": {
            "dont_know": True,
            "answerability": {"probability": 0.1234, "threshold": 0.4},
        },
        "props": {"answerer": "offline"},
    }
    said = run(
        page,
        "thoughts.js",
        "const i = await import('/static/i18n.js');"
        f" return m.decision({js(step)}, (k, v) => i.translate('en', k, v));",
    )
    assert said.startswith("Said “I don't know”") and "0.123 < threshold 0.4" in said


def test_stream_events_change_the_message_and_say_what_to_draw(page: Page) -> None:
    context = {"data_points": {}, "thoughts": [], "followup_questions": []}
    events = [
        {"type": "response.context", "context": context},
        {"type": "response.output_text.delta", "delta": "年次"},
        {"type": "response.output_text.delta", "delta": "有給"},
        {
            "type": "response.completed",
            "output_text": "年次有給",
            "context": {**context, "answer_parts": [{"text": "年次有給"}]},
        },
    ]
    text = "\n".join(js(e) for e in events)
    cut = text.encode().index("年".encode()) + 1  # inside a three-byte character
    got = run(
        page,
        "stream.js",
        f"const bytes = new TextEncoder().encode({js(text)});"
        " const msg = {content: ''}; const out = [];"
        # Chunks that cut a line, and a multi-byte character, in two.
        " const body = new ReadableStream({start(c) { c.enqueue(bytes.slice(0, 50));"
        f" c.enqueue(bytes.slice(50, {cut})); c.enqueue(bytes.slice({cut})); c.close(); }}}});"
        " await m.readLines(new Response(body), (e) => out.push(m.applyEvent(msg, e)));"
        " return [out, msg.content, msg.parts];",
    )
    assert got == [["", "年次", "有給", "whole"], "年次有給", [{"text": "年次有給"}]]


def test_failed_requests_are_said_plainly(page: Page) -> None:
    got = run(
        page,
        "documents.js",
        "const t = (k) => k; return [m.problem(413, '', t), m.problem(400, 'unsupported_type', t),"
        " m.problem(503, 'busy', t), m.problem(401, '', t), m.problem(500, 'index_error', t)];",
    )
    assert got == ["tooLarge", "badType", "busy", "needSignIn", "failed (500)"]
