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
#: The index a set shares with another set of the same documents.
INDEXES = {"northwind_ja": "northwind", "model_rules_ja": "ja"}


def index_of(name: str) -> Path:
    """The benchmark index of set ``name``: .yomitoki/bench-<name>.sqlite."""
    return ROOT / ".yomitoki" / f"bench-{INDEXES.get(name, name)}.sqlite"


def shown(path: Path) -> str:
    """``path`` as a command line in a result file names it: from the repo or from shared/."""
    return str(path.relative_to(ROOT if path.is_relative_to(ROOT) else ROOT.parent))


def yomitoki(*args: str, env: dict[str, str] | None = None) -> str:
    cmd = [sys.executable, "-m", "yomitoki", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def main() -> int:
    for name, (docs, questions) in SETS.items():
        if not docs.exists():
            print(f"skipped {name}: {docs} not found")
            continue
        index = index_of(name)
        yomitoki("ingest", str(docs), "--index", str(index), "--no-progress")
        for fusion in ("weighted", "rrf"):
            out = HERE / "results" / f"retrieval_{name}_{fusion}.json"
            env = {**os.environ, "YOMITOKI_FUSION": fusion}
            table = yomitoki("eval", "retrieval", str(questions), "--index", str(index),
                             "--compare", "--json", str(out), env=env)  # fmt: skip
            print(f"== {name}, fusion={fusion}\n{table}", flush=True)
            summary = json.loads(out.read_text())
            summary["command"] = (
                f"YOMITOKI_FUSION={fusion} yomitoki eval retrieval {shown(questions)} --compare"
            )
            out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
