"""A question's word and the rule's word for the same act; a quantity that is a condition or a
part is not the amount asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import answerer, ingest_options, searcher
from yomitoki.backends.fake import HashEmbedder
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester
from yomitoki.rag import extractive, queries, same_words
from yomitoki.rag.quantities import given
from yomitoki.types import Hit, Location

#: The model employment rules' sentences a question on paid-leave days finds (pages 38-40).
PLANNED = (
    "第１項又は第２項の年次有給休暇が 10 日以上与えられた労働者に対しては、付与日から１年以内"
    "に、当該労働者の有する年次有給休暇日数のうち５日について、会社が時季を指定して取得させる。"
)
DESIGNATED = (
    "使用者は、年１０日以上の年次有給休暇が付与される労働者に対して、そのうち５日については、"
    "時季を定めることにより与えなければなりません。"
)
HOURLY = "③ 年次有給休暇１日分に相当する時間単位年休の時間数を労使協定で定めます。"
GRANTED = (
    "第２３条 採用日から６か月間継続勤務し、所定労働日の８割以上出勤した労働者に対しては、"
    "１０日の年次有給休暇を与える。"
)


def test_a_word_of_a_group_says_each_word_of_it() -> None:
    assert {"付与", "与える", "貰う"} <= same_words.widened({"付与"})
    # もらえる (貰う) is what a rule grants and what it pays.
    assert {"付与", "与える", "支給", "支払う"} <= same_words.widened({"貰う"})
    assert same_words.widened({"休憩", "時間"}) == {"休憩", "時間"}


@pytest.mark.parametrize(
    ("sentence", "quantity", "amount"),
    [
        (PLANNED, "10 日", False),  # whom the rule is for
        (PLANNED, "５日", False),  # five of the days counted before
        (DESIGNATED, "１０日", False),
        (GRANTED, "１０日", True),
        ("６時間を超える場合は４５分の休憩を与える。", "６時間", False),
        ("６時間を超える場合は４５分の休憩を与える。", "４５分", True),
        ("１０日以上の年次有給休暇を与える。", "１０日", True),  # a floor is an amount
        ("定年（６５歳未満のものに限る。）の定めをしている事業主", "６５歳", False),  # of what
        ("１年単位の変形労働時間制を適用しない労働者", "１年", False),  # a scheme's name
        ("年５日の範囲で、３０分単位で与える。", "３０分", False),  # a granularity
        ("年５日の範囲で、３０分単位で与える。", "５日", True),
        ("国民の祝日がある週も週休２日制となります。", "２日", False),
        ("起算日を４月１日とし、休日は年間１０５日とする。", "１日", False),  # a date
        ("起算日を４月１日とし、休日は年間１０５日とする。", "１０５日", True),
        ("予告しないときは、平均賃金の３０日分以上の手当を支払う。", "３０日", False),  # wages
        ("少なくとも３０日前に予告をする。", "３０日", True),
    ],
)
def test_a_quantity_is_given_unless_a_condition_or_a_part(
    sentence: str, quantity: str, amount: bool
) -> None:
    found = re.search(re.escape(quantity), sentence)
    assert found is not None
    assert given(sentence, found.start(), found.end()) is amount


def test_the_rule_that_grants_the_days_leads_the_answer_on_them() -> None:
    """「年次有給休暇は何日付与されますか？」 over the rule on designated days (which writes 付与
    and the days of whom it is for), the one on planned leave, one on leave by the hour (one
    day's worth beside 年次有給休暇, found before) and the one that grants 10 days (which says
    与える, not 付与): the last leads."""
    hits = [
        Hit(i, "rules.pdf", Location(page=page), text, 1.0, {}, None, None)
        for i, (page, text) in enumerate(
            ((40, DESIGNATED), (41, HOURLY), (38, GRANTED), (39, PLANNED)), 1
        )
    ]
    question = "年次有給休暇は何日付与されますか？"
    reading = extractive.read(question, hits)
    composed = extractive.compose(question, hits, lambda terms: dict.fromkeys(terms, 1.0), reading)
    assert composed.sentences[0].citation == "rules.pdf#page=38"


def test_a_word_no_document_holds_is_searched_as_theirs() -> None:
    """ボーナス is searched as 賞与 where the rules write only that; もらえ asks (it is no word
    to search as 支給), and a word the documents hold is searched as written."""
    rules = {"賞与", "支給", "支払う", "与える", "付与", "賃金"}
    assert same_words.instead("ボーナスはもらえますか？", rules.__contains__) == "賞与"
    assert same_words.instead("給料はいつ支払われますか？", rules.__contains__) == "賃金"
    assert same_words.instead("賞与はもらえますか？", rules.__contains__) == ""
    assert same_words.instead("ボーナスは？", (rules | {"ボーナス"}).__contains__) == ""
    searches = queries.weighed("ボーナスはもらえますか？", None, "ja", lambda _: 1.0,
                               rules.__contains__)  # fmt: skip
    assert searches.each[0] == {"ボーナスはもらえますか？": 1.0, "賞与": queries.SAME_WEIGHT}


def test_a_users_word_finds_the_rule_that_writes_its_own(store: Store, tmp_path: Path) -> None:
    """Over a real index of rules that write 賞与, never ボーナス, the question on the bonus is
    answered from the article on 賞与, not from a page of questions that writes its もらえます
    (found first by its own words and characters alone: the hash embedder reads no meaning)."""
    root = tmp_path / "rules"
    root.mkdir()
    articles = {
        "bonus": "第５０条 賞与は、在籍した労働者に対し、会社の業績等を勘案して支給する。",
        "commute": "第３８条 通勤手当は、月額２万円までの範囲内において支給する。",
        "wages": "第４７条 賃金は、労働者に対し、通貨で直接その全額を支払う。",
        "leave": "第２３条 年次有給休暇は、６か月継続勤務した労働者に１０日を与える。",
        "breaks": "第２２条 労働時間が６時間を超える場合は４５分の休憩を与える。",
        "retire": "第５１条 労働者の定年は、満６０歳とする。",
        "faq": "よくある質問 休暇はもらえますか？ 制服はもらえますか？ 総務課にお尋ねください。",
    }
    for name, text in articles.items():
        builders.text(root / f"{name}.md", f"# 就業規則\n\n{text}\n")
    Ingester(store, CountingEmbedder(), ingest_options()).run(root)
    found = searcher(store, HashEmbedder())
    context, answer = answerer(found, min_answerability=0.0).ask("ボーナスはもらえますか？")
    assert context.hits[0].document == "bonus.md"
    assert "賞与" in answer.text and answer.citations[0].startswith("bonus.md")


def test_a_users_word_the_passages_lack_is_read_as_theirs() -> None:
    """「遅刻したら給料は減りますか？」 over the rule that writes 賃金 and 減額 holds every word
    asked; 有休 is 有給休暇 where a passage writes both, and stays itself where none does."""
    rule = "欠勤、遅刻及び早退については、その時間分の賃金を減額する。"
    hits = [Hit(1, "rules.pdf", Location(page=61), rule, 1.0, {}, None, None)]
    reading = extractive.read("遅刻したら給料は減りますか？", hits)
    assert {"遅刻", "賃金", "減額"} <= set(reading.terms)
    assert not {"給料", "減る"} & set(reading.terms)
    # The first meaning the passages write: 減る is 減額 here, 控除 where only that is written.
    assert same_words.read_as(["減る"], {"控除"}) == {"減る": ("控除",)}
    assert same_words.read_as(["有休"], {"有給", "休暇"}) == {"有休": ("有給", "休暇")}
    assert same_words.read_as(["有休"], {"有給"}) == {}  # 休暇 unwritten: no phrase to read
    assert same_words.read_as(["有休"], {"有休", "有給", "休暇"}) == {}  # written as asked
    # A one-way entry: the documents' word is not read as the user's.
    assert same_words.read_as(["有給"], {"有休"}) == {}
    assert same_words.instead("有休は何日ですか？", {"有給", "休暇"}.__contains__) == "休暇 有給"


def test_joining_the_company_is_being_hired() -> None:
    """「入社してすぐ有休って取れるんですか？」 is answered by the rule that counts from the day
    of hiring (採用日), not by a rule on taking leave that shares only its other words."""
    hits = [Hit(1, "rules.pdf", Location(page=p), t, 1.0, {}, None, None)
            for p, t in ((38, GRANTED), (40, PLANNED))]  # fmt: skip
    reading = extractive.read("入社してすぐ有休って取れるんですか？", hits)
    assert {"採用", "有給", "休暇", "取得"} <= set(reading.terms)  # 入社, as they write it
    assert "入社" not in reading.terms
    pool = extractive.candidates({t: 1.0 for t in reading.terms}, hits)
    assert max(pool, key=lambda e: e.score).text.startswith("第２３条")
    assert "採用" in same_words.widened({"入社"}) and "入社" in same_words.widened({"採用"})


def test_refusing_a_transfer_is_read_as_the_rule_writes_it() -> None:
    """「転勤を断ることはできますか」 over 第８条, which writes a change of workplace and 拒む."""
    rules = (
        "第８条 会社は、業務上必要がある場合に、労働者に対して就業する場所及び従事する業務の"
        "変更を命ずることがある。",
        "前２項の場合、労働者は正当な理由なくこれを拒むことはできない。",
        "採用、異動等については、一般的に採用に際しての手続に関する事項を定めます。",
    )
    hits = [Hit(i, "rules.pdf", Location(page=14), t, 1.0, {}, None, None)
            for i, t in enumerate(rules, 1)]  # fmt: skip
    reading = extractive.read("転勤を断ることはできますか", hits)
    assert {"異動", "拒む"} <= set(reading.terms)
    pool = extractive.candidates({t: 1.0 for t in reading.terms}, hits)
    assert max(pool, key=lambda e: e.score).text.startswith("前２項の場合")
    assert {"拒む", "断る", "拒否"} <= same_words.widened({"断る"})


def test_asking_to_be_told_is_no_word_of_the_answer() -> None:
    """「教えてください」 and 「知りたい」 ask; no rule writes them."""
    hits = [Hit(1, "rules.pdf", Location(page=54), "割増賃金率は２割５分以上とする。", 1.0, {},
                None, None)]  # fmt: skip
    for question in ("割増賃金率を教えてください", "割増賃金率が知りたい", "割増賃金率をおしえて"):
        assert set(extractive.read(question, hits).terms) == {"割り増し", "賃金", "率"}


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        # 「何分とれる」 is read by Sudachi as 何 and 分かつ ("to divide"): both ask.
        ("休憩って何分とれるの", {"休憩"}),
        ("休憩は何分とれますか", {"休憩", "取得"}),  # とれる, which no rule writes, is 取得
        ("パワハラを受けたらどうすればいいですか", {"パワー", "ハラスメント", "受ける"}),
        ("残業って月に何時間までOK？", {"残業", "月"}),
    ],
)
def test_casual_asking_is_read_as_the_rules_would_write_it(question: str, terms: set[str]) -> None:
    rules = (
        "休憩時間は、少なくとも４５分とし、労働者は休憩を取得できる。",
        "職場のパワーハラスメントを受けた労働者は、相談窓口に申し出る。",
        "残業は１か月４５時間以内とする。",
    )
    hits = [Hit(i, "rules.pdf", Location(page=i), t, 1.0, {}, None, None)
            for i, t in enumerate(rules, 1)]  # fmt: skip
    reading = extractive.read(question, hits)
    assert set(reading.terms) == terms
    assert reading.unnamed == ()  # "OK" names nothing


def test_a_sentence_wrapped_after_a_short_first_line_is_quoted_whole() -> None:
    """A PDF line that ends mid-sentence is no heading when the next line runs on in lower
    case: "Are contact lenses covered?" is answered by the sentence that writes "coverage for
    vision\\nexams, glasses, and contact lenses" (coverage is "covered", as the table says)."""
    text = (
        "Comparison of Plans\nBoth plans offer coverage for vision and dental services. "
        "Northwind Health Plus offers coverage for vision\nexams, glasses, and contact lenses, "
        "as well as dental exams. Northwind Standard only covers vision exams."
    )
    hits = [Hit(1, "options.pdf", Location(page=3), text, 1.0, {}, None, None)]
    said = [e.text for e in extractive.sentences(hits)]
    assert (
        said[0] == "Both plans offer coverage for vision and dental services."
    )  # past its heading
    assert said[1].startswith("Northwind Health Plus offers coverage for vision exams, glasses")
    question = "Are contact lenses covered?"
    reading = extractive.read(question, hits)
    composed = extractive.compose(question, hits, lambda terms: dict.fromkeys(terms, 1.0), reading)
    assert "contact lenses" in composed.sentences[0].text
    assert composed.sentences[0].coverage == 1.0
