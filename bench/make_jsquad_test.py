"""Build the ``jsquad-test`` question set from JSQuAD's test split: questions nobody here wrote.

Run once while developing, with JGLUE checked out (github:yahoojapan/JGLUE):
``.venv/bin/python -m bench.make_jsquad_test PATH/datasets/jsquad-v1.3/test-v1.3.json``. It
writes bench/data/jsquad-test/ (committed: JSQuAD is CC BY-SA 4.0, Kurihara et al., LREC 2022;
the README there says so), so no benchmark downloads anything.

The test split's articles are disjoint from the validation split's (``../shared``'s
jsquad-valid). Of a seeded sample of its articles every other paragraph is indexed, and the
questions are drawn three ways:

- answerable: asked of an indexed paragraph, cited to it;
- unanswerable, on topic: asked of a withheld paragraph of the same article, none of whose
  answers any indexed paragraph holds (the near miss: same subject, the fact absent);
- unanswerable, off topic: asked of an article that is not indexed at all.
"""

from __future__ import annotations

import random
import sys
from typing import Any

from bench.common import HERE
from bench.squad_format import fresh_docs, plain, run, write_kinds

OUT = HERE / "data" / "jsquad-test"
SEED = 20261206
ARTICLES = 24
PER_KIND = {"answerable": 150, "on_topic": 100, "off_topic": 50}


def build(split: dict[str, Any]) -> dict[str, int]:
    """Write the documents and the questions; how many of each kind."""
    rng = random.Random(SEED)
    articles = list(split["data"])
    rng.shuffle(articles)
    indexed, outside = articles[:ARTICLES], articles[ARTICLES:]
    docs, kinds = fresh_docs(OUT), {kind: [] for kind in PER_KIND}  # type: dict[str, Any]
    for number, article in enumerate(indexed):
        kept, withheld = article["paragraphs"][0::2], article["paragraphs"][1::2]
        held = []
        for p_number, paragraph in enumerate(kept):
            title, _, body = paragraph["context"].partition(" [SEP] ")
            name = f"t{number:02d}-p{p_number:03d}.txt"
            (docs / name).write_text(f"{title}\n{body}\n", encoding="utf-8")
            held.append(plain(body))
            for qa in paragraph["qas"]:
                answers = [a["text"] for a in qa["answers"]]
                kinds["answerable"].append({"question": qa["question"], "relevant": [name],
                                            "answers": list(dict.fromkeys(answers))})  # fmt: skip
        for paragraph in withheld:
            for qa in paragraph["qas"]:
                answers = {plain(a["text"]) for a in qa["answers"]}
                if not any(a in text for a in answers for text in held):
                    kinds["on_topic"].append({"question": qa["question"], "relevant": []})
    for article in outside:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                kinds["off_topic"].append({"question": qa["question"], "relevant": []})
    return write_kinds(OUT, kinds, PER_KIND, rng)


if __name__ == "__main__":
    sys.exit(run(__doc__ or "", build))
