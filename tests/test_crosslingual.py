"""An English question over Japanese documents also searches their words (JMdict's glosses),
only those some document the asker may read holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import answer_options, answerer, open_store, searcher
from yomitoki.index.engine import Filters
from yomitoki.ingest.access import AccessRule
from yomitoki.rag.crosslingual import crossing
from yomitoki.types import Message, Mode


def japanese_terms(question: str, known: Callable[[str], bool]) -> list[str]:
    """An English question's Japanese terms."""
    return list(crossing(question, "en", known).terms)


def test_phrases_become_the_japanese_terms_a_readable_document_holds() -> None:
    held = {"有給休暇", "時間外労働", "残業"}
    terms = japanese_terms(
        "How many days of paid vacation, and is overtime work paid?", held.__contains__
    )
    # "overtime work" is 時間外労働 or 残業 (the workplace's words: the law's and the office's).
    assert set(terms) == {"有給休暇", "時間外労働", "残業"}
    # A longer phrase's terms come first: "paid vacation" (有給休暇) before "overtime".
    terms = japanese_terms("Is overtime paid, and paid vacation?", held.__contains__)
    assert terms == ["有給休暇", "時間外労働", "残業"]
    # Plural and singular alike; question words alone look nothing up.
    assert japanese_terms("Are paid vacations granted?", held.__contains__) == ["有給休暇"]
    assert japanese_terms("What is it and how many?", lambda term: True) == []
    # Units and times alone look nothing up (days -> 日々, 月日): the quantity is read apart.
    assert japanese_terms("How many days, at least?", lambda term: True) == []
    # A follow-up's turns of phrase are no topic: "about" is not 前後 or 程度, "then" not その時.
    assert japanese_terms("And then, what about breaks?", lambda term: True)
    assert not {"前後", "程度", "その時", "今回"} & set(
        japanese_terms("And then, what about breaks now?", lambda term: True)
    )


def test_a_phrase_found_is_not_looked_up_word_by_word_and_adjectives_find_their_noun() -> None:
    everything = lambda term: True  # noqa: E731 - every term held
    # "probationary period" is JMdict's "probation period": 試用期間, and "period" alone
    # (時期, 時間, 一時) is not looked up beside it.
    assert japanese_terms("Is there a probationary period?", everything) == ["試用期間"]
    # A hyphen joins no word: "late-night work" holds "night work" (深夜業), and "late night"
    # is JMdict's "late at night" (深夜), not "late" alone (いい時間, "a late hour").
    late = japanese_terms("Which hours are late-night work?", everything)
    assert "深夜業" in late and "深夜" in late and "いい時間" not in late
    # Over English documents no Japanese term is held: nothing is added.
    assert japanese_terms("How many days of paid vacation?", lambda term: False) == []
    # A dictionary phrase that ends on a word of grammar is an idiom's fragment: "notice of"
    # ("take notice of", 一顧) does not hide "notice" (予告); one opening on it is the
    # question's phrase ("in advance", 事前).
    notice = japanese_terms(
        "How many days in advance must notice of dismissal be given?", everything
    )
    assert {"事前", "予告", "解雇"} <= set(notice) and "一顧" not in notice
    # Months of service are counted as years of service are: 継続勤務, not 事業 or 役務.
    assert japanese_terms("After how many months of service?", everything) == ["継続勤務", "勤続"]


def test_verbs_and_adjectives_a_question_writes_find_their_japanese_terms() -> None:
    """JMdict's glosses lack most verbs and adjectives; EJDict's headwords fill them in."""
    held = {"解雇", "辞職", "法定", "試用期間"}.__contains__
    # A verb's -ed form is looked up as its base: "dismissed" -> "dismiss" -> 解雇.
    assert japanese_terms("Can I be dismissed in the probationary period?", held) == [
        "試用期間", "解雇",
    ]  # fmt: skip
    assert japanese_terms("When may I resign?", held) == ["辞職"]
    assert japanese_terms("Is it a statutory holiday?", held) == ["法定"]
    # A plural in -es after a sibilant is the word less -es: "bonuses" is "bonus" (賞与).
    assert japanese_terms("When are bonuses paid?", {"賞与"}.__contains__) == ["賞与"]
    # The workplace's word for a verb's base comes before the dictionaries' for its -ing form:
    # "quitting" is "quit" (退職), not 仕舞 or 卒業; "giving birth" is 出産, not 娩出.
    everything = lambda term: True  # noqa: E731
    assert japanese_terms("How much notice before quitting?", everything)[-1:] == ["退職"]
    assert "娩出" not in japanese_terms("After giving birth?", everything)
    assert "出産" in japanese_terms("After giving birth?", everything)
    # Workplace English a person asks in: "paid time off", "fired", "working from home".
    assert japanese_terms("Can I get paid time off?", everything)[:1] == ["年次有給休暇"]
    assert japanese_terms("Can I be fired?", everything) == ["解雇"]
    assert japanese_terms("Is working from home allowed?", everything)[:1] == ["テレワーク"]
    # Leave for a wedding or a death in the family, the kinds of something there are:
    # "leave" is not 御免 or 失礼, "dies" is "die" (死亡), not "dy" (dysprosium's symbol).
    assert japanese_terms("Do I get leave for my wedding?", everything) == ["休暇", "休業", "結婚"]
    assert "死亡" in japanese_terms("Do I get time off if a parent dies?", everything)
    # "my wife" is the asker's, not the dictionaries' 我が妻: "wife" is 妻; "gives" asks, as
    # "give" does (not 提供).
    held = {"休暇", "妻", "我が妻", "出産", "提供"}.__contains__
    assert japanese_terms("Is there leave when my wife gives birth?", held) == [
        "休暇", "妻", "出産",
    ]  # fmt: skip
    assert set(japanese_terms("What kinds of disciplinary action are there?", everything)) == {
        "懲戒", "種類",
    }  # fmt: skip


RULES = {
    "hr/leave.md": "# 第22条 年次有給休暇\n\n入社６か月後に10日の年次有給休暇を与える。\n",
    "calendar.md": "# 休日\n\n年間休日は111日とする。会社の行事予定を定める。\n",
    "misc.md": "# 服務\n\n社員は誠実に勤務しなければならない。\n",
}


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return builders.indexed(tmp_path, RULES, AccessRule("hr/**", ("group:hr",)))


def test_an_english_question_finds_the_japanese_page_by_its_words(rules: Path) -> None:
    store = open_store(rules)
    # The keyword leg alone: the English words are in no document, their Japanese terms are.
    asker = answerer(searcher(store, CountingEmbedder()))
    keyword = answer_options(mode=Mode.KEYWORD)
    try:
        question = "How many days of paid vacation, and which annual holidays?"
        assert asker.retriever.search(question, Mode.KEYWORD, 5) == []
        asked = asker.retrieve(question, (), keyword)
        assert [h.document for h in asked.hits] == ["hr/leave.md", "calendar.md"]
        # Whether the passages answer weighs the share of its words they write in Japanese:
        # "paid vacation" (有給休暇) and "annual holidays" (年間休日 or 休日) are written.
        signals = asker.judge(asked, keyword).signals
        assert signals.crossed == 1.0 and signals.found == 1.0
        # Someone who may not read hr/ gets no term only hr/ holds, and so no sign of it.
        bob = Filters(readers=frozenset({"user:bob", "*"}))
        terms = japanese_terms(question, lambda term: asker.retriever.holds(term, bob))
        assert "休日" in terms and not {"有給休暇", "有休"} & set(terms)
        scoped = dataclasses.replace(keyword, filters=bob)
        assert [h.document for h in asker.retrieve(question, (), scoped).hits] == ["calendar.md"]
        # A Japanese question over these Japanese pages is read in its own words alone.
        assert asker.retrieve("年次有給休暇は何日？", (), keyword).searches.crossing.terms == ()
    finally:
        store.close()


def test_an_english_follow_up_adds_the_earlier_topic_in_the_documents_words(rules: Path) -> None:
    """Over Japanese pages a follow-up's earlier topic is searched in their words too, as the
    follow-up is: the English of it would only repeat the follow-up's meaning."""
    store = open_store(rules)
    asker = answerer(searcher(store, CountingEmbedder()))
    keyword = answer_options(mode=Mode.KEYWORD)
    try:
        history = [Message("user", "How many days of paid vacation?"), Message("assistant", "10")]
        alone = asker.retrieve("What about company events?", (), keyword)
        assert [h.document for h in alone.hits] == ["calendar.md"]
        asked = asker.retrieve("What about company events?", history, keyword)
        # Its own words lead (会社, 行事); paid vacation (有給休暇), asked before, comes beside.
        assert [h.document for h in asked.hits] == ["calendar.md", "hr/leave.md"]
        bob = dataclasses.replace(keyword, filters=Filters(readers=frozenset({"user:bob", "*"})))
        assert [
            h.document for h in asker.retrieve("What about company events?", history, bob).hits
        ] == ["calendar.md"]
    finally:
        store.close()


PLAN = {
    "members/coinsurance.md": "# Coinsurance\n\nAfter the deductible, your coinsurance is "
    "20 percent of the allowed amount for in-network care.\n",
    "deductible.md": "# Deductible\n\nThe deductible is $2,000 a year before the plan pays.\n",
    "parking.md": "# Parking\n\nParking at the office costs ten dollars a day.\n",
}


def test_a_japanese_question_finds_the_english_page_by_its_words(tmp_path: Path) -> None:
    """The reverse: a Japanese question over English documents, its words looked up at their
    longest (免責額, not 免責 and 額) and searched as the English the documents write."""
    index = builders.indexed(tmp_path, PLAN, AccessRule("members/**", ("group:members",)))
    with open_store(index) as store:
        asker = answerer(searcher(store, CountingEmbedder()))
        keyword = answer_options(mode=Mode.KEYWORD)
        question = "免責額はいくらですか？"
        assert asker.retriever.search(question, Mode.KEYWORD, 5) == []
        asked = asker.retrieve(question, (), keyword)
        assert asked.searches.crossing.terms == ("deductible",)
        # The words that ask are in no answer: 何日 ("what day") and いくら look nothing up.
        assert "what day" not in crossing("何日ですか？", "ja", lambda term: True).terms
        # Both pages write "deductible"; the one about it ranks first.
        assert asked.hits[0].document == "deductible.md"
        # The share of its words the passages write is read as an English question's is.
        signals = asker.judge(asked, keyword).signals
        assert signals.crossed == 1.0 and signals.found == 1.0
        # co-insurance is written only where bob may not read: no term, no page, no sign.
        bob = dataclasses.replace(keyword, filters=Filters(readers=frozenset({"user:bob", "*"})))
        hidden = asker.retrieve("共同保険は何割ですか？", (), bob)
        assert hidden.searches.crossing.terms == () and hidden.hits == []
        member = Filters(readers=frozenset({"group:members", "*"}))
        shown = asker.retrieve(
            "共同保険は何割ですか？", (), dataclasses.replace(keyword, filters=member)
        )
        assert [h.document for h in shown.hits] == ["members/coinsurance.md"]


def test_the_share_of_the_questions_words_a_passage_writes_in_japanese() -> None:
    """Across languages no word is shared; the terms say which of the question's words a
    passage writes, as the share of its words found does within one language."""
    held = {"有給休暇", "時間外労働"}
    read = crossing("How many days of paid vacation and overtime work?", "en", held.__contains__)
    # Four content words: paid vacation (有給休暇) and overtime work (時間外労働); the words
    # that ask (how many days, of, and) are not counted.
    assert read.words == 4
    assert read.found("入社６か月後に10日の有給休暇を与える。") == 0.5
    assert read.found("有給休暇と時間外労働の定め") == 1.0
    assert read.found("会社の株価") == 0.0
    # A word whose terms no readable document holds counts as not found: the asker's
    # documents say nothing of it.
    unseen = crossing("What is the share price of the company?", "en", held.__contains__)
    assert unseen.terms == () and unseen.words > 0 and unseen.found("株価は千円") == 0.0


def test_the_best_sentence_s_share_is_what_coverage_is_within_one_language() -> None:
    """A question's words spread over the passages are not a sentence that answers it: "Are
    uniforms provided?" over rules that say 制服 in one place and 提供 in another."""
    held = {"制服", "提供", "支給", "賞与"}.__contains__
    uniforms = crossing("Are uniforms provided?", "en", held)
    scattered = ["制服は清潔に保つこと。", "情報を提供する。", "賞与は原則として支給する。"]
    assert uniforms.found(" ".join(scattered)) == 1.0  # every word somewhere
    assert uniforms.covered(scattered) == 0.5  # but no sentence says both
    bonus = crossing("Is a bonus always paid?", "en", held)
    assert bonus.covered(scattered) == bonus.found("賞与は原則として支給する。") > 0.5
    assert uniforms.covered([]) == 0.0


def test_a_list_is_read_as_its_lead_with_each_item() -> None:
    """第３０条 grants 慶弔休暇 in its lead and names a wife's giving birth in an item: what it
    says of that item covers "leave when my wife gives birth", as within one language; two
    items together are no item of the list."""
    held = {"休暇", "妻", "出産", "死亡", "父母"}.__contains__
    birth = crossing("Is there leave when my wife gives birth?", "en", held)
    rule = "次のとおり慶弔休暇を与える。 ① 本人が結婚したとき ② 妻が出産したとき"
    assert birth.covered([rule]) == 1.0
    assert birth.covered(["次のとおり慶弔休暇を与える。", "② 妻が出産したとき"]) < 1.0
    wife_and_parent = crossing("Leave when my wife gives birth and my parents die?", "en", held)
    listed = "次のとおり休暇を与える。 ① 妻が出産したとき ② 父母が死亡したとき"
    assert wife_and_parent.covered([listed]) < wife_and_parent.found(listed) == 1.0


def test_the_words_of_asking_are_not_looked_up_and_a_possessive_is_its_noun() -> None:
    """ "Do I need to", "I'm" and "what happens" ask (JMdict: need -> 御用, I'm -> "I amの短縮形",
    happen -> 発生); a doctor's
    note is what the rules call 診断書; notice of resignation is given (申出) when quitting
    (退職), not the dictionaries' 退職届 that rules do not write."""
    everything = lambda term: True  # noqa: E731 - every term held
    sick = japanese_terms("Do I need to submit a doctor's note when I'm sick?", everything)
    assert "診断書" in sick and not {"御用", "ご用", "I amの短縮形"} & set(sick)
    assert "医師" in japanese_terms("Can a doctor's advice shorten my hours?", everything)
    quitting = japanese_terms("When can I give notice of resignation?", everything)
    assert quitting[:2] == ["退職", "申出"] and "退職届" not in quitting
    # "What happens" asks (JMdict: 発生); being late is 遅刻, not いい時間.
    assert japanese_terms("What happens if I am late to work?", everything) == ["遅刻"]
    # A phrase of the workplace made of words that otherwise ask: "by the hour" (時間単位).
    assert "時間単位" in japanese_terms("Can I take paid leave by the hour?", everything)
    # The work of "how many hours ... work" is the workplace's work hours, not work alone.
    assert japanese_terms("How many hours a week can I work?", everything) == ["労働時間"]
    assert japanese_terms("Can I work a side job?", everything) == ["副業", "兼業", "労働", "勤務"]
    assert japanese_terms("Is sexual harassment prohibited?", everything) == [
        "セクシュアルハラスメント", "禁止",
    ]  # fmt: skip


def test_the_workplaces_own_words_come_first() -> None:
    """JMdict glosses "paid" only as 有料 and "break" as 切れ目 and twenty more; work rules
    write 支給 and 休憩. The workplace's terms are a word's terms where it has them."""
    everything = lambda term: True  # noqa: E731 - every term held
    assert japanese_terms("How long is the break?", everything) == ["休憩"]
    assert japanese_terms("Does it count toward years of service?", everything) == [
        "勤続年数", "通算",
    ]  # fmt: skip
    paid = japanese_terms("Is it paid?", everything)
    assert paid[:2] == ["支給", "支払"] and "有料" not in paid
    # A phrase the workplace does not know is JMdict's, as before ("probation period").
    assert japanese_terms("Is there a probationary period?", everything) == ["試用期間"]
    # Late-night work is 深夜業, and the rules state its hours with 深夜.
    assert {"深夜業", "深夜"} <= set(japanese_terms("Which hours are late-night work?", everything))


def test_the_share_of_a_japanese_questions_words_an_english_passage_writes() -> None:
    """Each word looked up at its longest, and each word in Latin letters, is one word."""
    held = {"deductible", "pet", "northwind"}.__contains__
    read = crossing("Northwindのペット保険の免責額は？", "ja", held)
    # Northwind, ペット (pet), 保険 (insurance: no document writes it), 免責額 (deductible).
    assert read.words == 4
    assert read.found("The Northwind deductible is $2,000.") == pytest.approx(0.5)
    # An English term is a word's start: "pet" is in "pets", not in "competent".
    assert read.found("Pets of Northwind members") == pytest.approx(0.5)
    assert read.found("A competent Northwind doctor") == pytest.approx(0.25)


def test_a_japanese_questions_word_of_one_kanji_and_an_unknown_abbreviation_are_asked() -> None:
    """犬 is a word the question asks, though the table's words are read at their longest;
    "LASIK", which no readable document writes, is asked and not found; 額 of 自己負担額 is the
    kind of quantity asked, not a word ("frame")."""
    held = {"zava", "company", "name", "dog", "surgery", "northwind"}.__contains__
    dog = crossing("Zavaの会社の犬の名前は何ですか？", "ja", held)
    assert dog.words == 4  # Zava, 会社, 犬, 名前
    assert dog.found("Zava is a company whose name is known.") == pytest.approx(0.75)
    assert dog.found("The Zava company dog's name is Rex.") == pytest.approx(1.0)
    lasik = crossing("LASIK手術はNorthwindの対象ですか？", "ja", held)
    assert lasik.found("Northwind covers eye surgery.") < 1.0
    assert lasik.words == 4  # LASIK, 手術, Northwind, 対象
    share = crossing("Northwindの自己負担額はいくらですか？", "ja", {"northwind"}.__contains__)
    assert share.words == 2  # Northwind, 自己負担


def test_a_word_in_brackets_after_another_restates_it() -> None:
    """「IVF（体外受精）」 is one word, found when a passage writes either."""
    held = {"northwind", "in vitro fertilization"}.__contains__
    read = crossing("NorthwindはIVF（体外受精）を補償しますか？", "ja", held)
    assert read.words == 3  # Northwind, IVF (体外受精), 補償
    assert read.found("Northwind does not cover in vitro fertilization.") == pytest.approx(2 / 3)
