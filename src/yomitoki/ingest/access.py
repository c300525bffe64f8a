"""Who may read a file, decided at ingest from rules on its path.

A rule maps a glob over paths relative to the ingested folder (``hr/**``, ``**/*.xlsx``;
``**`` crosses folders, ``*`` does not) to readers. A file's readers are those of every rule
that matches it; a file no rule matches gets the run's readers (``ingest --group/--user``),
or, without those, every signed-in user. Changing the rules and ingesting again changes the
readers of unchanged files without parsing or embedding them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from yomitoki.errors import ConfigError
from yomitoki.ingest import globs
from yomitoki.types import EVERYONE


@dataclass(frozen=True, slots=True)
class AccessRule:
    """Files whose path (relative to the ingested folder) matches ``pattern`` are readable by
    ``readers`` (reader tokens: ``group:NAME``, ``user:NAME`` or ``*``)."""

    pattern: str
    readers: tuple[str, ...]

    def __post_init__(self) -> None:
        check_pattern(self.pattern)

    def matches(self, name: str) -> bool:
        """Whether the file called ``name`` (a path under the ingested folder) is covered."""
        return globs.matches(name, self.pattern)


def check_pattern(pattern: str) -> str:
    """``pattern`` when it stays inside the ingested folder; ConfigError otherwise."""
    path = PurePosixPath(pattern)
    if not pattern.strip() or "\\" in pattern or path.is_absolute() or ".." in path.parts:
        raise ConfigError(
            f"permission path {pattern!r} must be a glob relative to the ingested folder, "
            "without '..' (e.g. 'hr/**')"
        )
    return pattern


def readers_for(
    name: str,
    rules: Sequence[AccessRule],
    default: tuple[str, ...],
    given: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The readers of the file called ``name``: those its source ``given`` (blob metadata,
    object tags, a share's ACL) and every matching rule's, together; none: ``default``."""
    matched = sorted({*given, *(r for rule in rules if rule.matches(name) for r in rule.readers)})
    return tuple(matched) if matched else (default or (EVERYONE,))


def unmatched(rules: Sequence[AccessRule], names: Iterable[str]) -> list[str]:
    """The patterns of the rules that match none of ``names`` (most likely a typo)."""
    seen = list(names)
    return [rule.pattern for rule in rules if not any(rule.matches(n) for n in seen)]
