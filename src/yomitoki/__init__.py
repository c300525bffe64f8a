"""yomitoki: answer questions from your own documents, with checked citations.

The public API is what ``__all__`` names; everything else may change between releases::

    import yomitoki

    with yomitoki.open_index(".yomitoki/index.sqlite") as index:
        index.ingest("docs/")
        for hit in index.search("hearing aids", top=3):
            print(hit.citation(), hit.score)
        answer = index.ask("Does Northwind Health Plus cover hearing aids?")
        print(answer.text)          # every claim cites [file.pdf#page=N]
        print(answer.citations)     # each one checked against what was retrieved

Names load on first use, so ``import yomitoki`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from yomitoki.api import Index, open_index
    from yomitoki.errors import YomitokiError
    from yomitoki.index.engine import Filters
    from yomitoki.settings import Settings, load_settings
    from yomitoki.types import Answer, Context, Document, Hit, IngestReport, Location, Message, Mode

#: Public name -> the module that defines it.
_HOMES = {
    "open_index": "yomitoki.api",
    "Index": "yomitoki.api",
    "Settings": "yomitoki.settings",
    "load_settings": "yomitoki.settings",
    "Filters": "yomitoki.index.engine",
    "Mode": "yomitoki.types",
    "Hit": "yomitoki.types",
    "Location": "yomitoki.types",
    "Answer": "yomitoki.types",
    "Context": "yomitoki.types",
    "Message": "yomitoki.types",
    "Document": "yomitoki.types",
    "IngestReport": "yomitoki.types",
    "YomitokiError": "yomitoki.errors",
}
__all__ = [
    "Answer",
    "Context",
    "Document",
    "Filters",
    "Hit",
    "Index",
    "IngestReport",
    "Location",
    "Message",
    "Mode",
    "Settings",
    "YomitokiError",
    "__version__",
    "load_settings",
    "open_index",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'yomitoki' has no attribute {name!r}")
