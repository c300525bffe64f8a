"""A question searched in the other language's words too: English over Japanese documents,
and Japanese over English ones.

The vector leg already crosses languages; the keyword leg does not, so a question finds pages
in the other language by meaning alone. An English question's words and phrases are looked up
in a table of JMdict's English glosses and, for the words they lack, EJDict's headwords
(``en_ja_terms.json.gz``): "overtime work" → 時間外労働, "paid vacation" → 有給休暇,
"dismissed" → 解雇; for the workplace's words, ``workplace_terms.tsv``'s instead (written
here from the topics of the model employment rules' articles): "years of service" → 勤続年数.
A Japanese question's words, the longest the table knows at each place, in a table of each
word's first glosses (``ja_en_terms.json.gz``): 共同保険 → "co-insurance", 免責額 →
"deductible", ネットワーク → "network". (Both built by ``bench/make_en_ja_terms.py``; JMdict
© EDRDG, CC BY-SA 4.0; EJDict CC0: ``terms.NOTICE``.) Only
terms that some document the asker may read holds are kept (``known``), so the other
language's query is searched beside the question only where such documents are, and nothing
about documents the asker may not read decides it.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from yomitoki.text import analyzer
from yomitoki.text.analyzer import analyze
from yomitoki.text.language import Language
from yomitoki.text.sentences import each_item

_HERE = Path(__file__).parent
#: The weight of the other language's search beside the question's own (weight 1) when the
#: documents write none of the question's words; scaled by the share they do not write.
#: Weighed 2 or 3 it ranks the right passage higher across languages, but the answers read
#: from them were no better (bench/README.md, "Retrieval as the answer sees it").
TERMS_WEIGHT = 1.0
#: Below this share of the question's words unwritten, it is not read in the other language
#: (a Japanese question over Japanese pages that hold a few English words).
MIN_UNREAD = 0.1
#: The most terms searched: the longest phrases matched first.
MOST_TERMS = 16
_LONGEST = 3
#: The longest Japanese word looked up, in characters.
_LONGEST_JA = 12
_SIBILANT_PLURAL = re.compile(r"(?:s|x|z|ch|sh)es$")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # "late-night" is "late night"
#: A word a Japanese question writes in Latin letters: a name ("Northwind"), an abbreviation.
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_QUESTION_WORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "for", "is", "are", "am", "was", "were", "be",
        "been", "do", "does", "did", "i", "my", "me", "we", "our", "you", "your", "what", "how",
        "many", "much", "when", "where", "which", "who", "whom", "whose", "why", "can", "could",
        "may", "might", "must", "should", "shall", "will", "would", "if", "and", "or", "not", "no",
        "with", "by", "at", "as", "from", "it", "its", "this", "that", "these", "those", "there",
        "their", "they", "get", "gets", "got", "given", "give", "gives", "gave", "granted", "have",
        "has", "had", "long", "any", "all", "each", "per", "than", "need", "needs", "happen",
        "happens",
        # A follow-up's turns of phrase ("what about", "and then"): about -> 前後, 程度,
        # then -> その時, now -> 今回 would be searched as the topic.
        "about", "then", "also", "so", "now", "again", "else", "just", "still", "too", "even",
        "really", "please", "tell", "okay", "ok", "i'm", "i've", "i'd", "i'll",
    }
)  # fmt: skip
#: Units and times alone (days -> 日々, 月日; how many times -> 何度): the quantity asked is
#: read apart (``rag.quantities``); in a phrase they stay ("working hours" -> 労働時間).
_UNIT_WORDS = frozenset(
    {
        "day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours",
        "minute", "minutes", "time", "times", "often", "old", "age", "number", "amount",
        "least", "most", "minimum", "maximum", "first", "every", "before", "after",
    }
)  # fmt: skip
_ASKING = _QUESTION_WORDS | _UNIT_WORDS
#: The asker's own: a phrase opening with one is the dictionaries' idiom ("my wife", 我が妻).
_POSSESSIVE = frozenset({"my", "our", "your", "his", "her", "their"})
#: The same in Japanese, of the words of one kanji: the kind of quantity asked (自己負担額 is
#: 自己負担 and 額, "frame" in the table's first sense).
_UNIT_KANJI = frozenset("額率数量")


@functools.cache
def _table(name: str) -> dict[str, list[str]]:
    loaded: dict[str, list[str]] = json.loads(gzip.decompress((_HERE / name).read_bytes()))
    return loaded


@functools.cache
def _english() -> dict[str, list[str]]:
    """English words and phrases to Japanese terms: the dictionaries', and for the
    workplace's words the workplace's."""
    return {**_table("en_ja_terms.json.gz"), **_workplace()}


@functools.cache
def english_words() -> frozenset[str]:
    """The English words the dictionaries have, as the keyword analyzer stems them: words
    spelt right, which a question may write and the passages lack (``text.spelling``)."""
    words = (key.strip().lower() for key in _english())
    return frozenset(term for w in words if w.isascii() and w.isalpha() for term in analyze(w))


def stands_for(abbreviation: str) -> list[str]:
    """What an English abbreviation stands for, as the dictionaries write it: the English
    glosses of two words or more of its Japanese terms ("IVF" → 体外受精 → "in vitro
    fertilization", "ER" → 緊急救命室 → "emergency room")."""
    glosses = _table("ja_en_terms.json.gz")
    terms = _table("en_ja_terms.json.gz").get(abbreviation.lower(), [])
    found = (gloss for term in terms for gloss in glosses.get(term, []) if " " in gloss)
    return list(dict.fromkeys(found))


@functools.cache
def _workplace() -> dict[str, list[str]]:
    """``workplace_terms.tsv``: labour-law and work-rule words in English and the Japanese
    terms work rules write them with ("years of service" → 勤続年数, "paid" → 支給, "break" →
    休憩), which JMdict glosses otherwise or not at all ("paid" is only 有料, "break" is 切れ目
    and twenty more beside 休憩, "bonus" 割増 and 手当 beside 賞与: terms of other rules)."""
    table: dict[str, list[str]] = {}
    for line in (_HERE / "workplace_terms.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            english, terms = line.split("\t")
            table[english] = terms.split()
    return table


def _bases(word: str) -> set[str]:
    """What a verb's regular form may be made from: dismissed -> dismiss, granted -> grant,
    required -> require, submitted -> submit, taking -> take (the table has irregular ones:
    paid, kept)."""
    for ending in ("ed", "ing"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            out = {stem, stem + "e"}
            if stem[-1] == stem[-2]:
                out.add(stem[:-1])
            if ending == "ed" and stem.endswith("i"):
                out.add(stem[:-1] + "y")  # applied -> apply
            return out
    return set()


def _forms(words: list[str]) -> set[str]:
    """The phrase, with its last word made singular (leaves -> leave, hours -> hour, bonuses ->
    bonus, policies -> policy, dies -> die), and with an adjective in -ary made its noun
    (probationary period -> probation period), and a possessive read as its noun."""
    phrase = " ".join(words)
    last = words[-1]
    singular = (
        {last[:-1], *([last[:-3] + "y"] if last.endswith("ies") else [])}  # dies, policies
        if (last.endswith("s") and len(last) > 3 and not last.endswith("ss"))
        else set()
    )
    if _SIBILANT_PLURAL.search(last):  # bonuses -> bonus, taxes -> tax, classes -> class
        singular.add(last[:-2])
    forms = {phrase, *(" ".join([*words[:-1], s]) for s in singular)}
    for word in words:
        if word.endswith("'s"):  # a doctor's -> doctor
            forms |= {form.replace(word, word[:-2]) for form in forms}
        if word.endswith("ary") and len(word) > 6:
            forms |= {phrase.replace(word, noun) for noun in (word[:-3], word[:-3] + "e")}
    return forms


def _dangling(gram: list[str]) -> bool:
    """A phrase of the dictionaries that ends on a word of the question's grammar ("notice
    of", "work on"): an idiom's fragment ("take notice of", 一顧), not the question's phrase;
    one that opens on such a word is ("in advance", 事前; "what color", 何色), but for the
    asker's own ("my wife", 我が妻: documents write 妻)."""
    if len(gram) > 1 and gram[0] in _POSSESSIVE:
        return True
    return len(gram) > 1 and gram[-1] in _QUESTION_WORDS and " ".join(gram) not in _workplace()


def _looked_up(words: list[str], table: dict[str, list[str]]) -> list[str]:
    """The terms of a phrase's forms; only where it has none, of its verbs' bases
    (dismissed -> dismiss): "granted" is not looked up as "grant" (補助金) when it is known.
    The workplace's words come first, a base's too: "quitting" is "quit" (退職), not the
    dictionaries' "quitting" (仕舞, 卒業)."""
    forms = sorted(_forms(words))
    bases = [
        " ".join([*words[:at], base, *words[at + 1 :]])
        for at, word in enumerate(words)
        for base in sorted(_bases(word))
    ]
    workplace = _workplace()
    for looked, source in ((forms, workplace), (bases, workplace), (forms, table), (bases, table)):
        if terms := [term for form in looked for term in source.get(form, ())]:
            return terms
    return []


@dataclass(frozen=True, slots=True)
class Crossing:
    """A question's words and phrases in the other language: an English question's Japanese
    terms, a Japanese question's English glosses."""

    #: The terms a readable document holds (an English question's longest phrases' first).
    terms: tuple[str, ...] = ()
    #: Each word or phrase that has such terms (of a Japanese question, each word looked up
    #: and each written in Latin letters): its content words' places in the question, and
    #: its terms.
    groups: tuple[tuple[frozenset[int], tuple[str, ...]], ...] = ()
    #: How many content words the question has (the words that ask not counted).
    words: int = 0

    def found(self, text: str) -> float:
        """The share of the question's content words whose terms in the documents' language
        ``text`` writes: across languages, what the share of its words found in the passages
        is within one."""
        text = text.lower()  # "Deductible" writes "deductible"
        places = [at for at_words, terms in self.groups for at in at_words
                  if any(_writes(text, term) for term in terms)]  # fmt: skip
        return len(set(places)) / self.words if self.words else 0.0

    def covered(self, statements: Iterable[str]) -> float:
        """The best of ``statements``' ``found`` shares: across languages, what a sentence's
        coverage of the question's words is within one. A list is read as within one: its
        lead with each item (「次のとおり慶弔休暇を与える。…② 妻が出産したとき」 says leave for a
        wife's giving birth)."""
        shares = (self.found(read) for s in statements for read in each_item(s))
        return max(shares, default=0.0)


def _writes(text: str, term: str) -> bool:
    """Whether lower-cased ``text`` writes ``term``: an English one at the start of a word
    ("pet" is in "pets", not in "competent")."""
    if not term.isascii():
        return term in text
    return re.search(rf"(?<![a-z0-9]){re.escape(term.lower())}", text) is not None


#: A question not read across languages.
NOTHING = Crossing()


def crossing(question: str, language: Language, known: Callable[[str], bool]) -> Crossing:
    """``question``'s words in the other language, those ``known`` says a readable document
    holds."""
    if language == "ja":
        return _from_japanese(question, known)
    return _from_english(question, known)


def _from_english(question: str, known: Callable[[str], bool]) -> Crossing:
    """The Japanese terms of an English question's words and phrases. A word within a phrase
    found is not looked up alone ("probationary period" -> 試用期間, not also "period" ->
    時期, 時間)."""
    words = _WORD.findall(question.lower())
    held = functools.cache(known)  # each check is a look into the index
    found: dict[str, int] = {}
    groups: list[tuple[frozenset[int], tuple[str, ...]]] = []
    for span, terms in _looked_up_spans(words):
        kept = tuple(term for term in terms if held(term))
        for term in kept:
            found.setdefault(term, len(span))
        content = frozenset(at for at in span if words[at] not in _ASKING)
        groups += [(content, kept)] if kept and content else []
    ranked = sorted(found, key=lambda term: -found[term])[:MOST_TERMS]
    words_asked = sum(1 for word in words if word not in _ASKING)
    return Crossing(tuple(ranked), tuple(groups), words_asked)


def phrases(question: str) -> list[list[str]]:
    """The phrases of two words or more an English question writes that the tables have
    ("life insurance", "probationary period"), as ``crossing`` looks them up."""
    words = _WORD.findall(question.lower())
    spans = (span for span, _ in _looked_up_spans(words) if len(span) > 1)
    # Not the question's own turns ("how many people", "total number", "much more").
    return [
        [words[at] for at in span]
        for span in spans
        if not _ASKING.intersection(words[at] for at in span)
    ]


def _looked_up_spans(words: list[str]) -> Iterator[tuple[range, list[str]]]:
    """Each span of ``words`` the tables have, and its terms: the longest first, none within
    another found. A word alone is first the workplace's phrase with the unit the question
    counts in ("how many hours ... work": work hours, 労働時間; not work alone, 労働)."""
    table, workplace = _english(), _workplace()
    units = [word for word in words if word in _UNIT_WORDS]
    covered: set[int] = set()
    for length in range(_LONGEST, 0, -1):
        for start in range(len(words) - length + 1):
            gram = words[start : start + length]
            span = range(start, start + length)
            asking = all(word in _ASKING for word in gram) and " ".join(gram) not in workplace
            if asking or covered.issuperset(span):
                continue  # "how many days", "what is" (not "by the hour"); or within a phrase
            if _dangling(gram):
                continue  # "notice of" (一顧) would hide "notice" (予告)
            counted = (_looked_up([*gram, unit], {}) for unit in units if length == 1)
            if terms := next(filter(None, counted), None) or _looked_up(gram, table):
                covered |= set(span)
                yield span, terms


def _from_japanese(question: str, known: Callable[[str], bool]) -> Crossing:
    """The English of a Japanese question's words: at each place the longest word the table
    knows (共同保険, not 共同 and 保険), its first glosses, a word of one kanji only where the
    question writes it as a noun of its own (犬 of 「会社の犬」); and the words it writes in
    Latin letters ("Northwind Health Plusの…", "LASIK"), as they are. Each is a word the
    passages may write, counted as an English question's are: one no readable document holds
    is a word asked and not found. A word in brackets right after another restates it (「IVF
    （体外受精）」): one word, found when either is."""
    text = unicodedata.normalize("NFKC", question)
    held = functools.cache(known)
    terms: list[str] = []
    places: dict[int, tuple[str, ...]] = {}
    last = (-1, -1)  # where the last word counted ends, and its place
    for start, end, english, translated in _japanese_words(text):
        kept = tuple(term for term in english if held(term))
        if translated:  # a word in Latin letters is searched as the question writes it
            terms += [term for term in kept if term not in terms]
        restating = start >= 2 and text[start - 1] == "(" and last[0] == start - 1
        place = last[1] if restating else start
        places[place] = places.get(place, ()) + kept
        last = (end, place)
    groups = tuple((frozenset({at}), kept) for at, kept in places.items() if kept)
    return Crossing(tuple(terms[:MOST_TERMS]), groups, len(places))


def _japanese_words(text: str) -> Iterator[tuple[int, int, tuple[str, ...], bool]]:
    """Each word of a Japanese question ``_from_japanese`` counts: where it starts and ends,
    the English a passage may write it with, and whether that is the table's translation (not
    the word itself, written in Latin letters)."""
    table = _table("ja_en_terms.json.gz")
    lone = analyzer.lone_nouns(text)
    at = 0
    while at < len(text):
        if latin := _LATIN.match(text, at):
            word = latin.group(0).lower()
            if word not in _ASKING:
                yield at, latin.end(), (word,), False
            at = latin.end()
            continue
        reach = range(min(len(text), at + _LONGEST_JA), at + 1, -1)
        found = next((text[at:end] for end in reach if text[at:end] in table), None)
        if found is None and at in lone and text[at] in table and text[at] not in _UNIT_KANJI:
            found = text[at]
        if found is None:
            at += 1
            continue
        yield at, at + len(found), tuple(table[found]), True
        at += len(found)
