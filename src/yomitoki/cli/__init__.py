"""The ``yomitoki`` command: thin; builds objects once (through ``yomitoki.assemble``) and calls
the core. Commands live by family in ``ingesting``, ``searching``, ``answering`` and
``serving``; this module only assembles them and turns errors into one line and an exit code.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from yomitoki import __version__
from yomitoki.cli import answering, ingesting, searching, serving
from yomitoki.cli.common import err
from yomitoki.errors import YomitokiError


class _Group(click.Group):
    """The command group: every error yomitoki raises on purpose (a damaged index file too)
    ends a command with one line on stderr and its exit code, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except YomitokiError as exc:
            err.print(f"error: {exc}", soft_wrap=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yomitoki")
def main() -> None:
    """yomitoki: answer questions from your own documents, with checked citations."""


@main.group("eval")
def eval_group() -> None:
    """Measure retrieval and answer quality on a question set."""


for command in (
    ingesting.ingest,
    ingesting.documents,
    ingesting.sources,
    ingesting.show_settings,
    searching.search,
    answering.ask,
    answering.chat,
    serving.serve,
    serving.mcp_command,
):
    main.add_command(command)
eval_group.add_command(searching.eval_retrieval)
eval_group.add_command(answering.eval_answers)
eval_group.add_command(answering.eval_calibrate)
