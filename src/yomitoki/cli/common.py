"""What every command shares: the consoles, the common flags, and settings from flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from yomitoki.errors import YomitokiError
from yomitoki.settings import Settings, load_settings
from yomitoki.types import Mode

F = TypeVar("F", bound=Callable[..., Any])
# Markup off: names, questions and answers are printed as they are ("report[/b].pdf" is a
# name, not a closing tag); styles are given as rich Text, never parsed from strings.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)
MODES = click.Choice([m.value for m in Mode])


def common_options(func: F) -> F:
    """``--config`` and ``--index``, accepted by every command."""
    func = click.option(
        "--index",
        "index",
        type=click.Path(path_type=Path),
        default=None,
        help="Index file (default: setting 'index', env YOMITOKI_INDEX).",
    )(func)
    func = click.option(
        "--config",
        "config",
        type=click.Path(path_type=Path),
        default=None,
        help="TOML settings file (default: ./yomitoki.toml, env YOMITOKI_CONFIG).",
    )(func)
    return func


def as_option(func: F) -> F:
    """``--as NAME``: see what the configured user NAME may see (the CLI's user is admin)."""
    return click.option(
        "--as", "as_user", default=None, metavar="NAME",
        help="Answer as the configured user NAME: only documents they may read.",
    )(func)  # fmt: skip


def settings_from(config: Path | None, **overrides: Any) -> Settings:
    """The settings in effect: a bad value is a usage error (exit 2), as a bad flag is."""
    try:
        return load_settings(config, **overrides)
    except YomitokiError as exc:
        raise click.UsageError(str(exc)) from None


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, Japanese left readable."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented JSON in the file ``path`` (its folder made when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def plural(count: int, noun: str) -> str:
    """``1 chunk``, ``2 chunks``."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
