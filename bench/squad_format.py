"""What the builders of SQuAD-format question sets share (``bench.make_jsquad_test``,
``bench.make_squad2``): text as the index reads it, a fresh folder of paragraphs, a seeded
sample of each kind of question written out, and the command line."""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

Build = Callable[[dict[str, Any]], dict[str, int]]


def plain(text: str) -> str:
    """``text`` NFKC-normalized, as the index reads it."""
    return unicodedata.normalize("NFKC", text)


def fresh_docs(out: Path) -> Path:
    """``out``/docs, made empty of the paragraphs a previous build wrote."""
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for stale in docs.glob("*.txt"):
        stale.unlink()
    return docs


def write_kinds(
    out: Path, kinds: dict[str, list[dict[str, Any]]], wanted: dict[str, int], rng: random.Random
) -> dict[str, int]:
    """A seeded sample of each kind's questions written to ``out``/KIND.jsonl; how many."""
    counts = {}
    for kind, many in wanted.items():
        chosen = rng.sample(kinds[kind], min(many, len(kinds[kind])))
        counts[kind] = len(chosen)
        with (out / f"{kind}.jsonl").open("w", encoding="utf-8") as written:
            for item in chosen:
                written.write(json.dumps(item, ensure_ascii=False) + "\n")
    return counts


def run(usage: str, build: Build) -> int:
    """The command line: one argument, the split's JSON file."""
    if len(sys.argv) != 2:
        print(usage)
        return 2
    print(build(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
    return 0
