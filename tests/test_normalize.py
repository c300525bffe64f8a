import pytest

from yomitoki.text.language import has_japanese
from yomitoki.text.normalize import normalize, reflow


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("令和４年　１１月版", "令和4年11月版"),  # full-width digits, ideographic space
        ("就 業 規 則", "就業規則"),  # spaces PDF extraction puts between characters
        ("第 ２０ 条", "第20条"),  # between Japanese and digits
        ("ＡＢＣ　ｄｅｆ", "ABC def"),  # full-width Latin becomes ASCII, space kept between words
        ("Balance   billing\tprotection", "Balance billing protection"),
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana
        ("line one\r\n  line two", "line one\nline two"),
        ("a\x00b\x07c", "abc"),
        ("Northwind の plan", "Northwind の plan"),  # Latin next to Japanese keeps its space
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("就業規則", True),
        ("カタカナ", True),
        ("plain English", False),
        ("１２３", True),
        ("", False),
    ],
)
def test_has_japanese(text: str, expected: bool) -> None:
    assert has_japanese(text) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Japanese lines wrapped by the layout join with nothing between them.
        (
            "あらかじめ数字や文言を記\r\n入しているものがあります。",
            "あらかじめ数字や文言を記入しているものがあります。",
        ),
        # English lines join with a space; a hyphenated word is rejoined.
        (
            "The plan covers out-of-network services that are medi-\ncally necessary for you.",
            "The plan covers out-of-network services that are medically necessary for you.",
        ),
        # A list item starts its own line.
        (
            "次の事項を定める。\n① 日曜日\n② 国民の祝日",
            "次の事項を定める。\n① 日曜日\n② 国民の祝日",
        ),
        # A short line (a title) ends its paragraph.
        (
            "Balance Billing\nAt Zava we understand that medical costs can be intimidating and\n"
            "confusing for everyone.",
            "Balance Billing\nAt Zava we understand that medical costs can be intimidating and "
            "confusing for everyone.",
        ),
    ],
)
def test_reflow(raw: str, expected: str) -> None:
    assert reflow(raw) == expected
