"""The passages an answer is written from: by the citation each supports, with their
documents' titles for the support check, and quoted as a prompt shows them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from yomitoki.rag.prompts import quoted
from yomitoki.types import Hit


def passages(hits: Sequence[Hit]) -> dict[str, list[str]]:
    """Each citation the hits support, with its text: a page-crossing hit split at its pages."""
    out: dict[str, list[str]] = {}
    for hit in hits:
        cuts = [0, *(offset for offset, _ in hit.page_breaks), len(hit.text)]
        for start, end in itertools.pairwise(cuts):
            text = hit.text[start:end].strip()
            texts = out.setdefault(hit.citation_at(start), [])
            if text and text not in texts:
                texts.append(text)
    return out


def titled(given: dict[str, list[str]], hits: Sequence[Hit]) -> dict[str, list[str]]:
    """``given`` with each document's title beside its passages: a sentence may name it."""
    out = {citation: list(texts) for citation, texts in given.items()}
    for hit in hits:
        if not (title := hit.title):
            continue
        for citation in hit.locations():
            texts = out.get(citation)
            if texts is not None and title not in texts:
                texts.append(title)
    return out


def sources_block(given: dict[str, list[str]]) -> str:
    """The sources as the prompt quotes them: each between ``<source name="CITATION">`` and
    ``</source>``, so the model can tell the documents' words from its instructions."""
    return "\n\n".join(
        f'<source name="{quoted(citation)}">\n'
        + "\n".join(quoted(t) for t in texts)
        + "\n</source>"
        for citation, texts in given.items()
    )
