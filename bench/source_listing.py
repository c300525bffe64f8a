"""A source listing 100,000 entries: memory and time of a sync, and its progress.

Run: ``.venv/bin/python -m bench.source_listing``. Each case runs in a process of its own
(its peak resident memory is its own): a sync over a synthetic in-process source (no
network: what is measured is ingest's side of a listing) of

- ``unsupported``: 100,000 entries of a type ingest does not read (each one line of failure);
- ``unchanged``: 10,000 small Markdown entries already indexed, synced again (nothing read);
- ``baseline``: the same process with nothing listed, for the memory the others add.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bench.common import RESULTS, machine, write_result
from yomitoki import assemble
from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.progress import Silent
from yomitoki.ingest.source import Listed, Source
from yomitoki.settings import load_settings
from yomitoki.types import Outcome

CASES = {"baseline": (0, ".bin"), "unsupported": (100_000, ".bin"), "unchanged": (10_000, ".md")}


class Synthetic(Source):
    """``count`` entries under ten folders, each a short Markdown text (or other bytes)."""

    def __init__(self, count: int, suffix: str) -> None:
        self.uri, self.count, self.suffix = "az://bench", count, suffix

    def listing(self) -> Iterator[Listed]:
        for n in range(self.count):
            yield Listed(f"folder{n % 10}/entry-{n}{self.suffix}", 40, 1_700_000_000 * 10**9 + n)

    def read(self, key: str, into: BinaryIO) -> None:
        into.write(f"# {key}\n\nEntry {key} of the bench.\n".encode())


class Heard(Silent):
    """Progress that keeps every count the listing told it."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def listed(self, count: int) -> None:
        self.counts.append(count)


def one(case: str) -> dict[str, object]:
    count, suffix = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index=Path(tmp) / "index.sqlite", embedder="hash")
        kept = assemble.source_cache(settings)
        with assemble.open_engine(settings) as engine:
            ingester = Ingester(
                engine, assemble.embedder(settings), assemble.ingest_options(settings)
            )
            if case == "unchanged":
                ingester.sync(Synthetic(count, suffix), kept)
            heard = Heard()
            ingester.progress = heard
            began = time.perf_counter()
            report = ingester.sync(Synthetic(count, suffix), kept)
            seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "entries": count,
        "seconds": round(seconds, 2),
        "entries_per_second": round(count / seconds) if count else None,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "progress_updates": len(heard.counts),
        "outcomes": {o.value: n for o in Outcome if (n := report.count(o))},
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(one(sys.argv[2])))
        return
    rows = []
    for case in CASES:
        done = subprocess.run(
            [sys.executable, "-m", "bench.source_listing", "--case", case],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        rows.append(json.loads(done.stdout.splitlines()[-1]))
        print(rows[-1])
    base = rows[0]["peak_rss_mib"]
    for row in rows:
        row["added_rss_mib"] = round(float(row["peak_rss_mib"]) - float(base), 1)  # type: ignore[arg-type]
    write_result(
        RESULTS / "source_listing.json",
        {"machine": machine(), "command": "python -m bench.source_listing", "cases": rows},
    )


if __name__ == "__main__":
    main()
