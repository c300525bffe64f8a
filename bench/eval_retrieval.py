"""Retrieval quality on the shared question sets, every mode and both fusions side by side.

Run: ``.venv/bin/python -m bench.eval_retrieval``. Indexes are built (or brought up to date,
which is instant when nothing changed) under .yomitoki/ with the default embedder, then
``yomitoki eval retrieval --compare`` runs with each fusion method. Summaries, per-question
results included, go to bench/results/retrieval_<set>_<fusion>.json.
"""

from __future__ import annotations

import json
import os

from bench.common import RESULTS, SETS, ready_index, shown, write_result, yomitoki


def main() -> int:
    for name, (docs, questions) in SETS.items():
        if (index := ready_index(name, docs)) is None:
            continue
        for fusion in ("weighted", "rrf"):
            out = RESULTS / f"retrieval_{name}_{fusion}.json"
            env = {**os.environ, "YOMITOKI_FUSION": fusion}
            table = yomitoki("eval", "retrieval", str(questions), "--index", str(index),
                             "--compare", "--json", str(out), env=env)  # fmt: skip
            print(f"== {name}, fusion={fusion}\n{table}", flush=True)
            summary = json.loads(out.read_text())
            summary["command"] = (
                f"YOMITOKI_FUSION={fusion} yomitoki eval retrieval {shown(questions)} --compare"
            )
            write_result(out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
