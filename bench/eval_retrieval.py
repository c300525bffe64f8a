"""Retrieval quality on the shared question sets, every mode and both fusions side by side.

Run: ``.venv/bin/python bench/eval_retrieval.py``. Indexes are built (or brought up to date,
which is instant when nothing changed) under .yomitoki/ with the default embedder, then
``yomitoki eval retrieval --compare`` runs with each fusion method. Summaries, per-question
results included, go to bench/results/retrieval_<set>_<fusion>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "datasets"
SETS = {
    "northwind": (
        SHARED / "northwind" / "docs",
        SHARED / "northwind" / "eval" / "ground_truth.jsonl",
    ),
    "jsquad": (SHARED / "jsquad-valid" / "docs", SHARED / "jsquad-valid" / "questions.jsonl"),
    # Northwind's questions in Japanese over its English documents (same index as northwind).
    "northwind_ja": (SHARED / "northwind" / "docs", HERE / "data" / "northwind_ja.jsonl"),
}
#: The index file a set shares with another (.yomitoki/bench-<name>.sqlite).
INDEXES = {"northwind_ja": "northwind"}


def yomitoki(*args: str, env: dict[str, str] | None = None) -> str:
    cmd = [sys.executable, "-m", "yomitoki", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def main() -> int:
    for name, (docs, questions) in SETS.items():
        if not docs.exists():
            print(f"skipped {name}: {docs} not found")
            continue
        index = ROOT / ".yomitoki" / f"bench-{INDEXES.get(name, name)}.sqlite"
        yomitoki("ingest", str(docs), "--index", str(index), "--no-progress")
        for fusion in ("weighted", "rrf"):
            out = HERE / "results" / f"retrieval_{name}_{fusion}.json"
            env = {**os.environ, "YOMITOKI_FUSION": fusion}
            table = yomitoki("eval", "retrieval", str(questions), "--index", str(index),
                             "--compare", "--json", str(out), env=env)  # fmt: skip
            print(f"== {name}, fusion={fusion}\n{table}", flush=True)
            summary = json.loads(out.read_text())
            source = questions.relative_to(ROOT if questions.is_relative_to(HERE) else ROOT.parent)
            summary["command"] = (
                f"YOMITOKI_FUSION={fusion} yomitoki eval retrieval {source} --compare"
            )
            out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
