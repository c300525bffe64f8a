"""``yomitoki search`` and ``eval retrieval``: the ranked passages, and how good they are."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from yomitoki import assemble, serialize
from yomitoki.cli.common import (
    MODES,
    as_option,
    common_options,
    err,
    out,
    print_json,
    settings_from,
    write_json,
)
from yomitoki.evals.retrieval import evaluate, load_questions
from yomitoki.evals.retrieval import report as eval_report
from yomitoki.index.engine import Filters
from yomitoki.types import Mode


@click.command()
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
@as_option
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
    as_user: str | None,
) -> None:
    """Search the index for QUERY; prints hits with file#page=N locations."""
    settings = settings_from(config, index=index, search_mode=mode, top=top, reranker=reranker)
    readers = assemble.principal(settings, as_user).readers()
    filters = Filters(categories, excluded, path_prefix, readers)
    retriever = assemble.open_retriever(settings)
    hits = retriever.search(query, settings.search_mode, settings.top, filters)
    if as_json:
        print_json([serialize.hit(h) for h in hits])
        return
    if not hits:
        err.print("no results" if query.strip() else "empty query: nothing to search for")
        return
    for rank, hit in enumerate(hits, start=1):
        legs = " ".join(f"{k}#{v.rank}" for k, v in hit.legs.items())
        cited = Text(f"{rank}. {hit.citation()}", style="bold")
        out.print(Text.assemble(cited, f"  score {hit.score:.4f}  ({legs})"))
        if heading := " > ".join(hit.location.heading):
            out.print(f"   {heading}")
        snippet = " ".join(hit.text.split())
        out.print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}")


@click.command("retrieval")
@click.argument("questions", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@common_options
@click.option("--mode", type=MODES, default=None, help="Default: setting 'search_mode'.")
@click.option("--compare", is_flag=True, help="Run keyword, vector and hybrid side by side.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the summary and per-question results to this file.",
)
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
    settings = settings_from(config, index=index, search_mode=mode)
    if compare and settings.reranker is None:
        settings = settings.model_copy(update={"reranker": "sentence"})
    runs = (
        [(m, False) for m in Mode] + [(Mode.HYBRID, True)]
        if compare
        else [(settings.search_mode, settings.reranker is not None)]
    )
    items = load_questions(questions)
    retriever = assemble.open_retriever(settings)
    results = [evaluate(retriever, items, m, rerank=r) for m, r in runs]
    if verbose:
        for i, item in enumerate(items):
            ranks = "  ".join(f"{r.mode}={r.ranks[i] or '-'}" for r in results)
            out.print(f"{ranks}  {item.question}")
    header = f"{'mode':<13} " + " ".join(f"{'hit@' + str(k):>7}" for k in (1, 3, 5, 10))
    out.print(f"{len(items)} questions, index {assemble.index_location(settings)}")
    out.print(header + f" {'MRR':>7} {'ms/q':>7}")
    for r in results:
        cells = " ".join(f"{r.summary.hit_at[k]:>7.3f}" for k in (1, 3, 5, 10))
        per_q = 1000 * r.seconds / max(len(items), 1)
        out.print(f"{r.mode:<13} {cells} {r.summary.mrr:>7.3f} {per_q:>7.1f}")
    if json_path is not None:
        write_json(json_path, eval_report(items, results))
