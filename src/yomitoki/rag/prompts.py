"""Prompt templates: package data in Japanese and English, overridable file by file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from string import Template

from yomitoki.errors import ConfigError
from yomitoki.text.language import Language

NAMES = (
    "answer",
    "rewrite",
    "followups",
    "dont_know",
    "unnamed",
    "quoted",
    "rerank",
    "closed_book",
)
_TAG = re.compile(r"<(/?)(source)", re.IGNORECASE)


def quoted(text: str) -> str:
    """Document text as a prompt quotes it between ``<source>`` tags: a document cannot close
    its own quote and write outside it, because its tags lose their shape."""
    return _TAG.sub(lambda m: f"<{m.group(1)} {m.group(2)}", text)


class Prompts:
    """Reads ``<name>.<language>.txt`` from ``folder`` when it has one, else the shipped one."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None and not folder.is_dir():
            raise ConfigError(f"prompt_dir {folder} is not a folder")
        self.folder = folder

    def text(self, name: str, language: Language) -> str:
        """The raw template ``name`` in ``language``."""
        if name not in NAMES:
            raise ConfigError(f"unknown prompt template '{name}' (known: {', '.join(NAMES)})")
        filename = f"{name}.{language}.txt"
        if self.folder is not None and (self.folder / filename).is_file():
            return (self.folder / filename).read_text(encoding="utf-8").strip()
        shipped = resources.files("yomitoki.rag").joinpath("templates", filename)
        return shipped.read_text(encoding="utf-8").strip()

    def render(self, name: str, language: Language, **values: str) -> str:
        """Template ``name`` with ``$placeholders`` filled in."""
        try:
            return Template(self.text(name, language)).substitute(values)
        except (KeyError, ValueError) as exc:
            raise ConfigError(
                f"prompt template {name}.{language}.txt: bad placeholder {exc}"
            ) from None

    def dont_know(self, language: Language, unnamed: Sequence[str] = ()) -> str:
        """The "I don't know" text, then the names the question writes that none of the
        passages found does (``rag.names``): a user who misspelt a name, or asked of a plan
        that does not exist, sees why."""
        text = self.text("dont_know", language)
        if not unnamed:
            return text
        if language == "ja":
            listed = "や".join(f"「{name}」" for name in unnamed)
            return text + self.render("unnamed", language, names=listed)
        *some, last = [f"“{name}”" for name in unnamed]
        listed = f"{', '.join(some)} or {last}" if some else last
        return f"{text} {self.render('unnamed', language, names=listed)}"

    def system(self, language: Language, sources: str, custom: str | None = None) -> str:
        """The answer's system prompt with ``sources`` quoted in it, or ``custom`` by
        azure-search-openai-demo's rule: ``>>>text`` adds text to the shipped prompt, any
        other template replaces it; the sources go where it says ``$sources``, else after it.
        """
        if not custom:
            return self.render("answer", language, sources=sources)
        if custom.startswith(">>>"):
            rules = self.render("answer", language, sources="$sources")
            head, found, tail = rules.rpartition("$sources")
            if not found:
                head, tail = rules, ""
            return f"{head.rstrip()}\n\n{custom[3:].strip()}\n\n{sources}{tail}"
        if "$sources" in custom:
            return Template(custom).safe_substitute(sources=sources)
        return f"{custom}\n\n{sources}"
