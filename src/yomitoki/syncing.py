"""Keeping the index in sync with folders and sources: one sync, recorded; a watch; and the
background syncs of ``yomitoki serve``'s ``sources``.

A folder is watched by its filesystem events (watchfiles); a source (``az://``, ``s3://``,
``smb://``) is listed again every ``sync_interval`` seconds. A sync that fails waits twice as
long before the next, up to an hour; a failing source never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import watchfiles

from yomitoki import assemble
from yomitoki.ingest import synced
from yomitoki.ingest.progress import Progress
from yomitoki.settings import Settings
from yomitoki.sources import is_source
from yomitoki.types import IngestReport, SyncState

log = logging.getLogger(__name__)

#: The longest wait after failures, in seconds.
MOST_BACKOFF = 3600.0


def name_of(target: str) -> str:
    """How a folder or source is recorded: a source's URI, a folder's full path."""
    return target if is_source(target) else str(Path(target).resolve())


def sync(
    settings: Settings,
    target: str,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    run_readers: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the folder or source ``target`` once, holding the index's writer lock, and
    record how it went; an error once the index is open is recorded, then raised (one that
    opening the index raised, say a file that is not an index, leaves nothing beside it)."""
    kept = assemble.source_cache(settings)
    opened = False
    try:
        with assemble.ingesting(settings, wait, on_wait, run_readers) as ingester:
            opened = True
            if progress is not None:
                ingester.progress = progress
            if not is_source(target):
                report = ingester.run(Path(target))
            else:
                source = assemble.source(settings, target)
                try:
                    report = ingester.sync(source, kept)
                finally:
                    source.close()
    except Exception as exc:
        if opened:
            synced.record(kept, name_of(target), exc)
        raise
    synced.record(kept, name_of(target), report)
    return report


def states(settings: Settings) -> list[SyncState]:
    """The last sync of every folder and source recorded, and of each of ``sources`` not
    synced yet."""
    known = {s.source: s for s in synced.states(assemble.source_cache(settings))}
    for target in map(name_of, settings.sources):
        known.setdefault(target, SyncState(target, None, (), None, 0))
    return sorted(known.values(), key=lambda s: s.source)


def backoff(interval: float, failures: int) -> float:
    """Seconds until the next sync after ``failures`` failed syncs in a row."""
    return min(interval * 2.0 ** min(failures, 16), max(interval, MOST_BACKOFF))


def watch(
    settings: Settings,
    target: str,
    each: Callable[[IngestReport | Exception], None],
    stop: threading.Event,
    run_readers: tuple[str, ...] = (),
) -> None:
    """Sync ``target`` now and again whenever it may have changed, until ``stop`` is set:
    a folder on its filesystem events, a source every ``sync_interval`` seconds."""

    def once() -> bool:
        try:
            each(sync(settings, target, run_readers=run_readers))
        except Exception as exc:  # noqa: BLE001 - told, recorded, and tried again later
            each(exc)
            return False
        return True

    failures = 0 if once() else 1
    if is_source(target):
        while not stop.wait(backoff(settings.sync_interval, failures)):
            failures = 0 if once() else failures + 1
        return
    ignored = _ignored(settings)
    for _ in watchfiles.watch(
        target,
        watch_filter=lambda _, path: not any(Path(path).is_relative_to(i) for i in ignored),
        stop_event=stop,
        # Also every sync_interval: events are not raised for every folder (network mounts).
        rust_timeout=int(settings.sync_interval * 1000),
        yield_on_timeout=True,
    ):
        once()


def _ignored(settings: Settings) -> list[Path]:
    """What a watched folder's events must not wake ingest for: the index's own files."""
    return [settings.index.resolve().parent, assemble.source_cache(settings).resolve()]


class Keeper:
    """The server's background syncs: every folder and source of ``targets`` in turn, one
    at a time, each when due."""

    def __init__(
        self, settings: Settings, targets: Sequence[str], run: Callable[[str], object]
    ) -> None:
        self.interval = settings.sync_interval
        self.targets = list(targets)
        self._run = run
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="yomitoki-sync", daemon=True)

    def start(self) -> None:
        if self.targets:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        due = dict.fromkeys(self.targets, 0.0)
        failures = dict.fromkeys(self.targets, 0)
        while not self._stop.is_set():
            for target in self.targets:
                if self._stop.is_set() or due[target] > time.monotonic():
                    continue
                try:
                    self._run(target)
                    failures[target] = 0
                except Exception as exc:  # noqa: BLE001 - recorded; the others go on
                    failures[target] += 1
                    log.warning("sync of %s failed: %s", target, exc)
                due[target] = time.monotonic() + backoff(self.interval, failures[target])
            self._stop.wait(max(0.1, min(due.values()) - time.monotonic()))
