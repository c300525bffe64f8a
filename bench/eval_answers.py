"""Answer quality of the offline answerer on Northwind, with unanswerable questions mixed in.

Run: ``.venv/bin/python bench/eval_answers.py``. Builds (or reuses) the Northwind index under
.yomitoki/, then runs ``yomitoki eval answers`` on the 50 ground-truth questions and on
bench/data/northwind_unanswerable.jsonl (20 questions the documents cannot answer; written
for this benchmark). Results go to bench/results/answers_northwind_offline.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NORTHWIND = ROOT.parent / "shared" / "datasets" / "northwind"
UNANSWERABLE = HERE / "data" / "northwind_unanswerable.jsonl"
OUT = HERE / "results" / "answers_northwind_offline.json"


def yomitoki(*args: str) -> str:
    cmd = [sys.executable, "-m", "yomitoki", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> int:
    if not NORTHWIND.exists():
        print(f"skipped: {NORTHWIND} not found")
        return 0
    index = ROOT / ".yomitoki" / "bench-northwind.sqlite"
    yomitoki("ingest", str(NORTHWIND / "docs"), "--index", str(index), "--no-progress")
    truth = NORTHWIND / "eval" / "ground_truth.jsonl"
    table = yomitoki("eval", "answers", str(truth), str(UNANSWERABLE), "--index", str(index),
                     "--offline", "--json", str(OUT))  # fmt: skip
    print(table)
    report = json.loads(OUT.read_text())
    report["command"] = (
        f"yomitoki eval answers {truth.relative_to(ROOT.parent)} "
        f"{UNANSWERABLE.relative_to(ROOT)} --offline"
    )
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
