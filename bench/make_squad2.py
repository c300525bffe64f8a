"""Build the ``squad2`` question set from SQuAD 2.0: English near misses nobody here wrote.

Run once while developing, with SQuAD 2.0's development questions at hand (the official
``dev-v2.0.json`` or, as used here, the half of it in github:chrischute/squad
``data/dev-v2.0.json``: 16 of its 35 articles):
``.venv/bin/python -m bench.make_squad2 PATH/dev-v2.0.json``. It writes bench/data/squad2/
(committed: SQuAD 2.0 is CC BY-SA 4.0, Rajpurkar, Jia and Liang, ACL 2018; the README there
says so), so no benchmark downloads anything.

It is the second English corpus of the benchmarks, and its unanswerable questions are the kind
the issue asks for made by other hands: SQuAD 2.0's crowd workers wrote each one against a
paragraph to look answerable from it (a plausible span is there) while it is not. Of a seeded
half of the articles every paragraph is indexed, and the questions are drawn three ways:

- answerable: asked of an indexed paragraph, cited to it, with its reference answers;
- unanswerable, adversarial: written against an indexed paragraph to be unanswerable from it;
- unanswerable, off topic: asked of an article that is not indexed at all.

SQuAD 2.0 judged each adversarial question against its own paragraph only; another paragraph
of the same article might answer one. Each kept one has no reference answer of an answerable
question on the same paragraph among its plausible answers (the crowd's own test of "the
paragraph says so elsewhere"), and the few that another paragraph still answers count as
refused wrongly answered, which only makes the set harder.
"""

from __future__ import annotations

import random
import sys
from typing import Any

from bench.common import HERE
from bench.squad_format import fresh_docs, plain, run, write_kinds

OUT = HERE / "data" / "squad2"
SEED = 20261206
PER_KIND = {"answerable": 150, "adversarial": 150, "off_topic": 50}


def build(split: dict[str, Any]) -> dict[str, int]:
    """Write the documents and the questions; how many of each kind."""
    rng = random.Random(SEED)
    articles = list(split["data"])
    rng.shuffle(articles)
    half = len(articles) // 2
    indexed, outside = articles[:half], articles[half:]
    docs, kinds = fresh_docs(OUT), {kind: [] for kind in PER_KIND}  # type: dict[str, Any]
    for number, article in enumerate(indexed):
        title = article["title"].replace("_", " ")
        for p_number, paragraph in enumerate(article["paragraphs"]):
            name = f"s{number:02d}-p{p_number:03d}.txt"
            (docs / name).write_text(f"{title}\n{plain(paragraph['context'])}\n", "utf-8")
            answered = {plain(a["text"]).lower() for qa in paragraph["qas"] for a in qa["answers"]}
            for qa in paragraph["qas"]:
                if not qa["is_impossible"]:
                    answers = list(dict.fromkeys(plain(a["text"]) for a in qa["answers"]))
                    kinds["answerable"].append(
                        {"question": qa["question"], "relevant": [name], "answers": answers}
                    )
                    continue
                plausible = {plain(a["text"]).lower() for a in qa["plausible_answers"]}
                if not plausible & answered:
                    kinds["adversarial"].append({"question": qa["question"], "relevant": []})
    for article in outside:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if not qa["is_impossible"]:
                    kinds["off_topic"].append({"question": qa["question"], "relevant": []})
    return write_kinds(OUT, kinds, PER_KIND, rng)


if __name__ == "__main__":
    sys.exit(run(__doc__ or "", build))
