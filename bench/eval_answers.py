"""Answer quality of the offline answerer, with unanswerable questions mixed in.

Run: ``.venv/bin/python bench/eval_answers.py``. For each shared set, builds (or reuses) its
index under .yomitoki/ and runs ``yomitoki eval answers --offline`` on its questions plus a set
of questions its documents cannot answer, written for this benchmark:

- Northwind: the 50 ground-truth questions and bench/data/northwind_unanswerable.jsonl (20);
  citations_matched is azure-search-openai-demo's metric.
- JSQuAD: the 500 questions and bench/data/jsquad_unanswerable.jsonl (20 Japanese questions on
  subjects none of the 1,145 paragraphs mention, each checked by searching the paragraphs for
  its key words); the reference answer spans also give answer_found (an answer states one)
  and answer_in_passages (the passages the answerer was given held one).

Results, every answer included: bench/results/answers_<set>_offline.json.
"""

from __future__ import annotations

import json
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
        HERE / "data" / "northwind_unanswerable.jsonl",
    ),
    "jsquad": (
        SHARED / "jsquad-valid" / "docs",
        SHARED / "jsquad-valid" / "questions.jsonl",
        HERE / "data" / "jsquad_unanswerable.jsonl",
    ),
}


def yomitoki(*args: str) -> str:
    cmd = [sys.executable, "-m", "yomitoki", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> int:
    for name, (docs, questions, unanswerable) in SETS.items():
        if not docs.exists():
            print(f"skipped {name}: {docs} not found")
            continue
        index = ROOT / ".yomitoki" / f"bench-{name}.sqlite"
        out = HERE / "results" / f"answers_{name}_offline.json"
        yomitoki("ingest", str(docs), "--index", str(index), "--no-progress")
        table = yomitoki("eval", "answers", str(questions), str(unanswerable), "--index",
                         str(index), "--offline", "--json", str(out))  # fmt: skip
        print(f"== {name}\n{table}", flush=True)
        report = json.loads(out.read_text())
        report["command"] = (
            f"yomitoki eval answers {questions.relative_to(ROOT.parent)} "
            f"{unanswerable.relative_to(ROOT)} --offline"
        )
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
