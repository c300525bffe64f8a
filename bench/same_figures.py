"""Do this commit's retrieval and answers equal a base commit's, question by question?

Run: ``.venv/bin/python -m bench.same_figures [BASE]`` (BASE: a git revision, default
``HEAD~1``). The base's
source is checked out beside the repository (``git worktree``), and both run ``yomitoki eval
retrieval --compare`` (weighted and RRF fusion) and ``yomitoki eval answers --offline`` on the
same benchmark indexes, so what the machine or the index build does to the figures cancels
out and only the code differs. Timings are left out of the comparison; everything else (each
question's ranks, hits, answer text, citations, "I don't know") must be equal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, SETS, index_of, machine, ready_index, write_result

#: Answer sets: the questions (answerable and not) of each benchmark index.
ANSWER_SETS = {
    "northwind": [SETS["northwind"][1], ROOT / "bench" / "data" / "northwind_unanswerable.jsonl"],
    "jsquad": [SETS["jsquad"][1], ROOT / "bench" / "data" / "jsquad_unanswerable.jsonl"],
}


def _run(source: Path, args: list[str], fusion: str) -> Any:
    """``yomitoki ARGS --json OUT`` with the code under ``source``; the JSON it wrote."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.json"
        env = {**os.environ, "PYTHONPATH": str(source), "YOMITOKI_FUSION": fusion}
        cmd = [sys.executable, "-m", "yomitoki", *args, "--json", str(out)]
        subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        return json.loads(out.read_text())


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        timed = ("ms", "seconds", "latency")
        return {k: _untimed(v) for k, v in value.items() if not any(t in k for t in timed)}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _first_difference(base: Any, this: Any, where: str = "") -> str:
    if type(base) is not type(this) or not isinstance(base, dict | list):
        return f"{where}: {json.dumps(base)[:200]} -> {json.dumps(this)[:200]}"
    keys = base.keys() | this.keys() if isinstance(base, dict) else range(max(len(base), len(this)))
    for key in keys:
        a = base.get(key) if isinstance(base, dict) else (base[key] if key < len(base) else None)
        b = this.get(key) if isinstance(this, dict) else (this[key] if key < len(this) else None)
        if a != b:
            return _first_difference(a, b, f"{where}/{key}")
    return where


def compare(base: Path, this: Path, args: list[str], fusion: str) -> dict[str, Any]:
    """Both sources' output of one command, compared without timings."""
    old, new = _untimed(_run(base, args, fusion)), _untimed(_run(this, args, fusion))
    return {"identical": old == new} | (
        {} if old == new else {"first": _first_difference(old, new)}
    )


def main(base: str) -> int:
    this = ROOT / "src"
    checks: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "-q", str(tree), base], cwd=ROOT, check=True)
        try:
            for name, (docs, questions) in SETS.items():
                if ready_index(name, docs) is None:
                    continue
                index = str(index_of(name))
                for fusion in ("weighted", "rrf"):
                    args = ["eval", "retrieval", str(questions), "--index", index, "--compare"]
                    checks[f"retrieval {name} {fusion}"] = compare(tree / "src", this, args, fusion)
            for name, files in ANSWER_SETS.items():
                if all(f.exists() for f in files):
                    args = ["eval", "answers", *map(str, files), "--index", str(index_of(name))]
                    args.append("--offline")
                    checks[f"answers {name}"] = compare(tree / "src", this, args, "weighted")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    result = {
        "machine": machine(),
        "command": f".venv/bin/python -m bench.same_figures {base}",
        "base": base,
        "this": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip(),
        "checks": checks,
    }
    write_result(RESULTS / "same_figures.json", result)
    print(json.dumps(checks, indent=2))
    return 0 if all(c["identical"] for c in checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"))
