import json
import subprocess
import sys

import pytest

from yomitoki.text import analyzer
from yomitoki.text.analyzer import analyze, query_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("就業規則を定める", ["就業", "規則", "定める"]),  # particles dropped
        ("附属書", ["付属", "書"]),  # normalized form: a spelling variant meets its standard form
        ("In-network providers", ["in", "network", "provid"]),  # lower-cased and stemmed
        ("ＡＢＣ　１２３", ["abc", "123"]),  # NFKC before analysis
        ("第２０条", ["第", "20", "条"]),
        ("。、！？!!! 😀", []),  # punctuation and emoji only
        ("", []),
    ],
)
def test_analyze(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


def test_query_and_document_meet_on_the_same_terms() -> None:
    assert set(analyze("providers")) <= set(analyze("A list of in-network provider offices."))
    assert set(analyze("有給休暇")) <= set(analyze("年次有給休暇は二十日とする。"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('plan "plans" OR NOT', ["plan"]),  # deduplicated, stop words dropped
        ("What is the deductible?", ["deduct"]),
        ("what is it", ["what", "is", "it"]),  # only stop words: keep them
        ("有給休暇とは", ["有給", "休暇", "有給_休暇"]),
        # Adjacent content words also make a pair term, across the stop words between them.
        (
            "What is the prior authorization process?",
            ["prior", "author", "process", "prior_author", "author_process"],
        ),
        ("😀!!", []),
    ],
)
def test_query_terms(query: str, expected: list[str]) -> None:
    assert query_terms(query) == expected


@pytest.mark.parametrize("sentence", ["日本語の文章です", "𠮷野家の牛丼"])  # 3 and 4 UTF-8 bytes
def test_a_long_run_without_ascii_is_analyzed_in_slices_sudachi_accepts(sentence: str) -> None:
    text = sentence * 3000  # 20,000+ characters with no ASCII break: over Sudachi's byte limit
    terms = analyze(text)
    assert len(terms) >= 3000 * len(analyze(sentence)) - 10  # a slice edge may split a word


def test_the_common_nouns_of_one_kanji_a_text_writes_as_words() -> None:
    text = "会社の犬はネットワーク内の薬を食べない"
    assert {text[at] for at in analyzer.lone_nouns(text)} == {"犬", "薬"}  # 内 is a suffix
    long = "あ" * 12_000 + "犬"  # past the first slice Sudachi is given
    assert analyzer.lone_nouns(long) == {12_000}


def test_either_snowball_engine_makes_the_same_terms() -> None:
    """PyStemmer (C) stems as snowballstemmer's pure Python does: an index built where one is
    installed is searched where the other is."""
    text = "Relocation reimbursements, dermatologists' referrals; generously covered hearing aids"
    code = (
        "import sys, json; sys.modules['Stemmer'] = None\n"
        "from yomitoki.text import analyzer\n"
        f"print(json.dumps([type(analyzer._stemmer()).__module__, analyzer.analyze({text!r})]))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    module, pure = json.loads(done.stdout)
    assert module.startswith("snowballstemmer")  # the fallback really ran
    assert analyzer._stemmer().__class__.__module__ == "Stemmer"  # the dependency is used
    assert analyze(text) == pure
    assert pure[:4] == ["reloc", "reimburs", "dermatolog", "referr"]
