"""Each folder's and source's last sync, kept beside the cache of what was ingested.

``yomitoki ingest`` and the server's background syncs record how each sync went in
``KEPT/syncs.json`` (written whole, under a file lock); ``/documents`` (for admins), the UI
and ``yomitoki sources`` show it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from filelock import FileLock

from yomitoki import serialize
from yomitoki.types import IngestReport, Outcome, SyncState
from yomitoki.whole import write_whole

_FILE = "syncs.json"


def states(kept: Path) -> list[SyncState]:
    """The recorded syncs, by source; none when nothing was recorded (or the file is not
    one this wrote)."""
    try:
        rows = json.loads((kept / _FILE).read_text(encoding="utf-8"))
        return [
            SyncState(
                str(row["source"]),
                None if row["ended"] is None else float(row["ended"]),
                tuple((str(k), int(v)) for k, v in row["counts"].items()),
                None if row["error"] is None else str(row["error"]),
                int(row["failures"]),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def record(kept: Path, source: str, outcome: IngestReport | Exception) -> SyncState:
    """Record how the sync of ``source`` ended: its report, or the error that stopped it
    (the counts of its last full sync are kept beside the error)."""
    kept.mkdir(parents=True, exist_ok=True)
    with FileLock(str(kept / f"{_FILE}.lock")):
        known = {s.source: s for s in states(kept)}
        before = known.get(source)
        if isinstance(outcome, IngestReport):
            counts = tuple((o.value, outcome.count(o)) for o in Outcome)
            state = SyncState(source, time.time(), counts, None, 0)
        else:
            counts = before.counts if before is not None else ()
            failures = before.failures + 1 if before is not None else 1
            state = SyncState(source, time.time(), counts, str(outcome), failures)
        known[source] = state
        rows = [serialize.sync_state(s) for s in sorted(known.values(), key=lambda s: s.source)]
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        write_whole(kept / _FILE, lambda temporary: temporary.write_text(text, "utf-8"))
    return state
