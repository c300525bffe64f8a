"""Build near misses from questions nobody here wrote: each keeps its words but its most
specific noun, swapped for a noun of the same kind that no indexed document holds.

The issue asks for on-topic unanswerable questions made systematically ("an entity swapped for
one absent from the corpus"). Written by hand here they would share this project's style; made
from other hands' questions they keep the askers' phrasing, and only the swapped word says that
the documents cannot answer. Run once while developing, after the benchmark indexes exist
(``python -m bench.calibrate`` builds them): ``.venv/bin/python -m bench.make_swapped``. It
writes ``data/jsquad-test/swapped.jsonl`` (committed, seeded: no benchmark derives anything at
run time): 100 of JSQuAD test's answerable questions (CC BY-SA 4.0), each with the noun of
highest IDF that the index holds (no number, no word of its article's title: the question stays
on its subject) swapped for a noun of JSQuAD validation's questions (other articles) of the
same part of speech (a person's name for a person's name, a place for a place, a thing for a
thing) that no indexed paragraph holds.

Tried for English too, swapping a word of the demo's Northwind questions for a noun Northwind
never writes, and not kept: without an English part-of-speech tagger the swap took verbs
("does Northwind Health *cover*"), and the nouns absent from Northwind that JMdict's glosses of
the model rules' nouns give ("annuity", "concrete", "passivity") made questions nobody asks.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path

from sudachipy import Dictionary, SplitMode

from bench.common import HERE, SHARED, index_of
from yomitoki import open_index
from yomitoki.index.engine import Filters
from yomitoki.rag.asked import answer_terms
from yomitoki.rag.retriever import Retriever
from yomitoki.text.analyzer import content_terms

SEED = 20261207
DATA = HERE / "data"
JSQUAD_SWAPPED = 100
#: Kinds of noun kept apart: Sudachi's part of speech down to this depth (名詞,固有名詞,人名).
_POS_DEPTH = 3
#: The nouns that name a thing: a common noun that is no verb's or adjective's stem (説明
#: "explain", 支配 "rule"), or a proper noun.
_THINGS = (("名詞", "普通名詞", "一般"), ("名詞", "固有名詞"))


def _thing(pos: tuple[str, ...]) -> bool:
    return any(pos[: len(kind)] == kind for kind in _THINGS)


def _specific(question: str, retriever: Retriever, names: str) -> list[str]:
    """``question``'s content words the index holds, no document's name, most specific first."""
    terms = [
        t
        for t in answer_terms(question, content_terms(question))
        if not any(c.isdigit() for c in t) and t not in names and retriever.holds(t)
    ]
    idf = retriever.idf(terms, Filters()) if terms else {}
    return sorted(terms, key=lambda t: -idf[t])


def _write(path: Path, questions: Iterable[str]) -> int:
    lines = [json.dumps({"question": q, "relevant": []}, ensure_ascii=False) for q in questions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def jsquad(rng: random.Random) -> list[str]:
    """The swapped questions, in ``rng``'s order."""
    tokenizer = Dictionary().create(mode=SplitMode.A)
    folder = DATA / "jsquad-test"
    rows = [json.loads(line) for line in (folder / "answerable.jsonl").read_text().splitlines()]
    others = SHARED / "jsquad-valid" / "questions.jsonl"
    with open_index(index_of("jsquad_test")) as opened:
        retriever = opened.answerer.retriever
        nouns: dict[tuple[str, ...], set[str]] = {}
        for line in others.read_text(encoding="utf-8").splitlines():
            for m in tokenizer.tokenize(json.loads(line)["question"]):
                kind = tuple(m.part_of_speech()[:_POS_DEPTH])
                if _thing(kind) and len(m.surface()) > 1:
                    nouns.setdefault(kind, set()).add(m.surface())
        pools = {k: sorted(w for w in v if not retriever.holds(w)) for k, v in nouns.items()}
        out = []
        for row in rng.sample(rows, len(rows)):
            title = (folder / "docs" / row["relevant"][0]).read_text().splitlines()[0]
            question = row["question"]
            morphemes = list(tokenizer.tokenize(question))
            for target in _specific(question, retriever, " ".join(content_terms(title))):
                same = [m for m in morphemes if m.normalized_form() == target]
                kind = tuple(same[0].part_of_speech()[:_POS_DEPTH]) if same else ()
                if same and _thing(kind) and len(pools.get(kind, ())) > 0:
                    out.append(question.replace(same[0].surface(), rng.choice(pools[kind]), 1))
                    break
            if len(out) == JSQUAD_SWAPPED:
                break
    return out


def main() -> int:
    rng = random.Random(SEED)
    print(_write(DATA / "jsquad-test" / "swapped.jsonl", jsquad(rng)), "questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
