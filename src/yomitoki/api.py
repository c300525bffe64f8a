"""The Python API: an index to ingest into, search and ask, configured like the CLI.

>>> import yomitoki
>>> with yomitoki.open_index(".yomitoki/index.sqlite") as index:  # doctest: +SKIP
...     index.ingest("docs/")
...     answer = index.ask("Does Northwind Health Plus cover hearing aids?")
...     print(answer.text, answer.citations)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yomitoki import assemble
from yomitoki.index.engine import Filters
from yomitoki.rag.answer import Answerer
from yomitoki.settings import Settings, load_settings
from yomitoki.types import Answer, Context, Document, Hit, IngestReport, Message, Mode


class Index:
    """One index, its retrieval and its answerer, as the settings describe them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._answerer: Answerer | None = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index (it reopens on the next call)."""
        if self._answerer is not None:
            self._answerer.retriever.close()
            self._answerer = None

    @property
    def answerer(self) -> Answerer:
        """The answerer over this index (offline unless the settings name an LLM)."""
        if self._answerer is None:
            self._answerer = assemble.open_answerer(self.settings, create=True)
        return self._answerer

    def ingest(self, folder: str | Path, wait: bool = True) -> IngestReport:
        """Bring the index in step with ``folder`` (or one file): add, update, remove, rename.

        Files that fail are reported in the result, file by file; the others are indexed.
        """
        with assemble.ingesting(self.settings, wait) as ingester:
            return ingester.run(Path(folder))

    def documents(self) -> list[Document]:
        """Every indexed document."""
        with assemble.open_engine(self.settings) as engine:
            return engine.documents()

    def search(
        self,
        query: str,
        mode: Mode | str | None = None,
        top: int | None = None,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """The best passages for ``query``, each citing its file and page."""
        return self.answerer.retriever.search(
            query,
            Mode(mode or self.settings.search_mode),
            top or self.settings.top,
            filters,
        )

    def ask(self, question: str, history: Sequence[Message] = ()) -> Answer:
        """An answer to ``question`` whose citations are checked against what was retrieved."""
        return self.answerer.ask(question, history)[1]

    def ask_with_context(
        self, question: str, history: Sequence[Message] = ()
    ) -> tuple[Context, Answer]:
        """The answer and what it was written from: the query, the hits, the prompt."""
        return self.answerer.ask(question, history)


def open_index(
    index: str | Path | None = None, config: Path | None = None, **settings: Any
) -> Index:
    """The index at ``index`` with settings from ``config`` (or ./yomitoki.toml), the
    environment (``YOMITOKI_*``) and ``settings`` given here, in rising precedence."""
    return Index(load_settings(config, index=Path(index) if index else None, **settings))
