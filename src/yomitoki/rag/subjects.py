"""What a passage is about beyond its own words: its document, by title and by file name.

Every sentence of "Zava Northwind Health Plus Plan" is the Plus plan's, and every sentence of
Northwind_Standard_Benefits_Details.pdf is the Standard plan's "Benefits Details", so a
question's words that name the document ("…according to the Northwind Standard Benefits
Details?") are said by each of its sentences. A question may write the file's name as it is
("…in Northwind_Health_Plus_Benefits_Details.pdf"); it is read as the name's words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from yomitoki.text.analyzer import content_terms
from yomitoki.text.sentences import SENTENCE_END

#: Longer "titles" are first lines or sentences standing in for a title, not a subject.
TITLE_CHARS = 80
#: What joins the words of a file's name: "Benefits_Details", "benefits-details".
_JOINS = re.compile(r"[_\-.]+")


def is_subject(title: str | None) -> bool:
    """Whether ``title`` names a subject, rather than being missing or a first line or
    sentence standing in for a title."""
    return title is not None and 0 < len(title) <= TITLE_CHARS and not SENTENCE_END.search(title)


@functools.lru_cache(maxsize=1024)
def subject_terms(title: str | None, document: str | None = None) -> frozenset[str]:
    """The words of a document's title, which every sentence of it is about ("Zava Northwind
    Health Plus Plan": a sentence on its deductible is the Plus plan's), none for a title
    that ``is_subject`` refuses; and the words of its file's name (``document``, without its
    folders and extension: "Northwind_Standard_Benefits_Details.pdf" is about "Northwind
    Standard Benefits Details")."""
    words = set(content_terms(title)) if title is not None and is_subject(title) else set()
    if document:
        words |= set(content_terms(_JOINS.sub(" ", PurePosixPath(document).stem)))
    return frozenset(words)


def unfiled(question: str, documents: Iterable[str]) -> str:
    """``question`` with the names of ``documents``' files it writes written as words:
    "…according to the Northwind_Standard_Benefits_Details.pdf?" → "…according to the
    Northwind Standard Benefits Details?" (and "Benefits Details.pdf" → "Benefits Details")."""
    extensions = {PurePosixPath(d).suffix.lower() for d in documents} - {""}
    for extension in sorted(extensions):
        question = re.sub(rf"(?<=\w){re.escape(extension)}\b", "", question, flags=re.I)
    return re.sub(r"(?<=\w)_+(?=\w)", " ", question)
