"""``yomitoki ask``, ``chat``, ``eval answers`` and ``eval calibrate``: consumers of the answer
event stream."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from yomitoki import assemble, serialize
from yomitoki.backends.base import LLM
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
from yomitoki.errors import YomitokiError
from yomitoki.evals import answers as answer_eval
from yomitoki.evals import calibration
from yomitoki.evals.retrieval import Question, load_questions
from yomitoki.index.engine import Filters
from yomitoki.rag.answer import Answerer
from yomitoki.rag.closed_book import ClosedBook
from yomitoki.settings import Settings
from yomitoki.settings.tables import LLMConfig
from yomitoki.types import Answer, Context, Event, Followups, Hit, Message, TextDelta

F = TypeVar("F", bound=Callable[..., Any])


#: One or more question sets (JSONL), as ``eval answers`` and ``eval calibrate`` read them.
question_files = click.argument(
    "questions",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
)


def answer_options(func: F) -> F:
    """Retrieval and LLM choices shared by ``ask``, ``chat`` and ``eval answers``."""
    options = [
        click.option("--mode", type=MODES, default=None, help="Default: setting 'search_mode'."),
        click.option("--answer-sources", "--sources", "sources", type=click.IntRange(1, 50),
                     default=None,
                     help="Hits the answer is written from (setting 'answer_sources')."),
        click.option("--category", "categories", multiple=True, help="Only these categories."),
        click.option("--exclude-category", "excluded", multiple=True, help="Not these categories."),
        click.option("--llm", "llm", default=None,
                     help="Row of the 'llms' setting to answer with (default: setting 'llm')."),
        click.option("--llm-url", default=None,
                     help="Answer with the OpenAI-compatible server at this URL "
                     "(e.g. http://localhost:11434/v1)."),
        click.option("--llm-model", default=None, help="Model name for --llm-url."),
        click.option("--llm-key-env", default=None,
                     help="Environment variable holding the key for --llm-url."),
        click.option("--offline", is_flag=True,
                     help="Use the offline answerer even if an LLM is set."),
        click.option("--followups/--no-followups", default=None,
                     help="Suggest follow-up questions (needs an LLM)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return as_option(func)


def build_answerer(settings: Settings, flags: dict[str, Any], create: bool = False) -> Answerer:
    """The searcher, the LLM (if any) and the options that the settings and flags describe."""
    row = None
    if flags["llm_url"]:
        row = LLMConfig(
            model=flags["llm_model"] or "default",
            base_url=flags["llm_url"],
            api_key_env=flags["llm_key_env"],
        )
    readers = assemble.principal(settings, flags["as_user"] or flags.get("mcp_user")).readers()
    filters = Filters(flags["categories"], flags["excluded"], readers=readers)
    offline = flags["offline"] and row is None
    return assemble.open_answerer(settings, row, offline=offline, create=create, filters=filters)


def settings_with(
    config: Path | None, index: Path | None, flags: dict[str, Any], **extra: Any
) -> Settings:
    """The settings with the answering flags on top."""
    return settings_from(
        config,
        index=index,
        search_mode=flags["mode"],
        answer_sources=flags["sources"],
        llm=flags["llm"],
        followups=flags["followups"],
        **extra,
    )


def show(events: Iterator[Event], thoughts: bool) -> Answer:
    """Print text as it streams, then sources, warnings and (optionally) the thought process."""
    context: Context | None = None
    for event in events:
        if isinstance(event, Context):
            context = event
        elif isinstance(event, TextDelta):
            out.file.write(event.text)
            out.file.flush()
        elif isinstance(event, Followups) and event.questions:
            out.print("\n\nFollow-up questions:")
            for question in event.questions:
                out.print(f"  - {question}")
        elif isinstance(event, Answer):
            out.print()
            if event.citations and context is not None:
                by_citation: dict[str, Hit] = {}
                for hit in context.hits:  # the best hit describes a citation
                    for citation in hit.locations():
                        by_citation.setdefault(citation, hit)
                out.print("\nSources:")
                for citation in event.citations:
                    best = by_citation.get(citation)
                    where = None
                    if best is not None:  # a page is exact already: name the document
                        paged = "#page=" in citation
                        where = best.title if paged else best.location.describe()
                    title = f"  ({where})" if where else ""
                    out.print(f"  [{citation}]{title}")
            for citation in event.removed_citations:
                err.print(f"removed citation to a source not given: [{citation}]")
            for support in event.unsupported:
                err.print(
                    f"weakly supported ({support.overlap:.0%} of its words in its sources): "
                    f"{support.sentence}",
                )
            if thoughts and context is not None:
                err.print("\n-- thought process --")
                err.print(json.dumps(serialize.context(context), ensure_ascii=False, indent=2))
                err.print(f"timings {event.timings}  usage {event.usage}")
                if event.answerability is not None:
                    err.print(f"answerability {event.answerability}")
            return event
    raise YomitokiError("the answer stream ended without an answer")


@click.command()
@click.argument("question")
@common_options
@answer_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer and its context as JSON.")
@click.option("--thoughts", is_flag=True, help="Also print the query, hits, prompt and timings.")
def ask(
    question: str,
    config: Path | None,
    index: Path | None,
    as_json: bool,
    thoughts: bool,
    **flags: Any,
) -> None:
    """Answer QUESTION from the index, citing [file#page=N] for every claim."""
    settings = settings_with(config, index, flags)
    answerer = build_answerer(settings, flags)
    if as_json:
        context, answer = answerer.ask(question)
        print_json({"context": serialize.context(context), "answer": serialize.answer(answer)})
        return
    show(answerer.stream(question), thoughts)


@click.command()
@common_options
@answer_options
@click.option("--thoughts", is_flag=True, help="Print the query, hits and prompt of each turn.")
def chat(config: Path | None, index: Path | None, thoughts: bool, **flags: Any) -> None:
    """Ask questions in turn; follow-ups use the conversation. /reset clears it, /quit ends."""
    settings = settings_with(config, index, flags)
    answerer = build_answerer(settings, flags)
    err.print(f"yomitoki chat ({answerer.name}); /reset clears the conversation, /quit ends.")
    history: list[Message] = []
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if question in ("/quit", "/exit"):
            break
        if question == "/reset":
            history.clear()
            err.print("conversation cleared")
            continue
        if not question:
            continue
        try:
            answer = show(answerer.stream(question, history), thoughts)
        except YomitokiError as exc:
            err.print(f"error: {exc}")
            continue
        history += [Message("user", question), Message("assistant", answer.text)]


@click.command("answers")
@question_files
@common_options
@answer_options
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the summary and per-question answers to this file.",
)
@click.option("--judge", is_flag=True, help="Also have the configured LLM rate each answer.")
@click.option(
    "--compare",
    is_flag=True,
    help="Answer with the LLM alone (no retrieval), with retrieval + LLM, and offline, "
    "side by side (needs an LLM).",
)
@click.option("--verbose", is_flag=True, help="Print every answer.")
def eval_answers(
    questions: tuple[Path, ...],
    config: Path | None,
    index: Path | None,
    json_path: Path | None,
    judge: bool,
    compare: bool,
    verbose: bool,
    **flags: Any,
) -> None:
    """Answer QUESTIONS (JSONL; questions citing nothing must get "I don't know") and score them.

    Reports citations_matched (share of the truth's citations the answer cites), any_citation,
    answered vs "don't know", answer length, latency, and the "don't know" rate on
    unanswerable questions. --compare answers each question three ways, the LLM alone
    (prompt only), retrieval + LLM and offline, and reports them side by side: whether
    grounding in the documents beats prompting alone, measured on your own questions.
    """
    settings = settings_with(config, index, flags)
    answerer = build_answerer(settings, flags)
    if judge and answerer.llm is None:
        raise YomitokiError("--judge needs an LLM (--llm, --llm-url or setting 'llm')")
    if compare and answerer.llm is None:
        raise YomitokiError("--compare needs an LLM (--llm, --llm-url or setting 'llm')")
    items = [q for path in questions for q in load_questions(path, unanswerable=True)]
    grader = answerer.llm if judge else None
    where = assemble.index_location(settings)
    if compare:
        _compare_answers(answerer, items, grader, where, json_path)
    else:
        _grade_answers(answerer, items, grader, where, json_path, verbose)


def _grade_answers(
    answerer: Answerer,
    items: list[Question],
    grader: LLM | None,
    where: str,
    json_path: Path | None,
    verbose: bool,
) -> None:
    """Grade ``answerer`` on ``items``; print the summary, and write it with each question."""

    def progress(graded: answer_eval.Graded) -> None:
        if verbose:
            mark = "?" if graded.answer.dont_know else f"{graded.matched:.2f}"
            out.print(f"[{mark}] {graded.question.question}\n    {graded.answer.text}\n")

    results = answer_eval.grade(answerer, items, grader, progress)
    summary = answer_eval.summary(results)
    out.print(f"{len(items)} questions, answerer {answerer.name}, index {where}")
    for key, value in summary.items():
        out.print(f"  {key:<30} {value}")
    if json_path is not None:
        per_question = answer_eval.per_question(results)
        report = {"answerer": answerer.name, "summary": summary, "per_question": per_question}
        write_json(json_path, report)


def _compare_answers(
    answerer: Answerer,
    items: list[Question],
    grader: LLM | None,
    where: str,
    json_path: Path | None,
) -> None:
    """Grade the LLM alone, retrieval + LLM and offline on ``items``, side by side."""
    assert answerer.llm is not None
    options = answerer.options
    askers: dict[str, answer_eval.Asker] = {
        "llm_alone": ClosedBook(
            answerer.llm, options.temperature, options.max_tokens, answerer.prompts
        ),
        "retrieval_llm": answerer,
        "offline": Answerer(answerer.retriever, None, options, answerer.prompts),
    }
    compared = {name: answer_eval.grade(asker, items, grader) for name, asker in askers.items()}
    summaries = {name: answer_eval.summary(results) for name, results in compared.items()}
    out.print(f"{len(items)} questions, index {where}")
    out.print(f"  {'':<30}" + "".join(f"{name:>16}" for name in summaries))
    for key in summaries["retrieval_llm"]:
        cells = "".join(f"{summaries[name].get(key, '-')!s:>16}" for name in summaries)
        out.print(f"  {key:<30}{cells}")
    if json_path is not None:
        write_json(
            json_path,
            {
                name: {
                    "answerer": askers[name].name,
                    "summary": summaries[name],
                    "per_question": answer_eval.per_question(results),
                }
                for name, results in compared.items()
            },
        )


@click.command("calibrate")
@question_files
@common_options
@answer_options
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Write the fitted calibration here; point the setting 'answerability' at it.",
)
@click.option("--folds", type=click.IntRange(2, 20), default=calibration.FOLDS, show_default=True)
@click.option(
    "--repeats",
    type=click.IntRange(1, 20),
    default=calibration.REPEATS,
    show_default=True,
    help="Cross-validations on different splits into folds; rates are their mean.",
)
def eval_calibrate(
    questions: tuple[Path, ...],
    config: Path | None,
    index: Path | None,
    out_path: Path,
    folds: int,
    repeats: int,
    **flags: Any,
) -> None:
    """Fit the offline answerer's "I don't know" on your own QUESTIONS (JSONL, as for 'eval
    answers': those citing nothing are the ones it must refuse), and report it out of fold.

    Every question is answered offline and the retrieval's signals recorded; a logistic model
    over them is judged by stratified k-fold cross-validation (each question decided by a
    model fitted without it), then fitted on all of them and written to --out. Each file is
    a set: the refusal rates are printed per file, per language and overall.
    """
    settings = settings_with(config, index, flags)
    answerer = build_answerer(settings, {**flags, "offline": True})
    rows = []
    for path in questions:
        items = load_questions(path, unanswerable=True)
        rows += calibration.collect(answerer, items, path.stem)
    answerable = sum(r.answerable for r in rows)
    if min(answerable, len(rows) - answerable) < folds:
        raise YomitokiError(
            f"calibration needs at least {folds} answerable and {folds} unanswerable questions "
            f"(questions citing nothing); got {answerable} and {len(rows) - answerable}"
        )
    report = calibration.out_of_fold(rows, folds, repeats)
    model = calibration.fit(rows)
    held_out = calibration.held_out_groups(rows) if len(questions) > 1 else {}
    written = model.to_json(
        fitted=f"yomitoki eval calibrate on {len(rows)} questions",
        out_of_fold=report,
        **({"held_out_set": held_out} if held_out else {}),
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(written, encoding="utf-8")
    where = assemble.index_location(settings)
    out.print(f"{len(rows)} questions, index {where}: refusals out of fold")
    for line in calibration.describe(report):
        out.print(f"  {line}")
    if held_out:
        out.print("each file held out, decided by the model fitted on the others")
        for line in calibration.describe(held_out):
            out.print(f"  {line}")
        worst = calibration.worst(held_out)["cost"]
        out.print(f"  worst: {worst['set']} (errors {worst['cost']:.3f})")
    out.print(
        f"wrote {out_path} (threshold {model.threshold:.4f}); to use it, set "
        f'answerability = "{out_path}"',
    )
