"""Sentence-aware chunking for Japanese and English. Pure functions, no IO."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Sequence

from yomitoki.text.normalize import normalize
from yomitoki.text.sentences import split_sentences
from yomitoki.types import Chunk, ParsedDocument

#: The version of the way text is cut into sentences and chunks, recorded with each document
#: so that a change (2: a 。 inside brackets no longer ends a sentence; 3: a Japanese
#: parenthesis closed by an ASCII one closes it) re-cuts what was cut before; vectors are kept
#: by text, so only chunks that changed are embedded again.
CUTTER = 3

# Where an over-long sentence is cut, when it must be: after a space or a comma.
_SOFT_BREAK = re.compile(r"[\s、，,；;]")


def _hard_split(start: int, end: int, text: str, size: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into pieces of at most ``size``, preferring soft breaks."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        window = text[start : start + size]
        cut = max((m.end() for m in _SOFT_BREAK.finditer(window, size // 2)), default=size)
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def chunk_spans(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Pack sentences of ``text`` into spans of about ``size`` characters.

    A span ends on a sentence boundary unless one sentence alone is longer than ``size``.
    Each span after the first starts with the trailing sentences of the one before it, as
    many as fit in ``overlap`` characters. Spans that are only white space are dropped.
    """
    if size <= 0:
        raise ValueError("size must be positive")
    units: list[tuple[int, int]] = []
    for start, end in split_sentences(text):
        units.extend(_hard_split(start, end, text, size))
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        first = i
        end_i = i
        while end_i + 1 < len(units) and units[end_i + 1][1] - units[first][0] <= size:
            end_i += 1
        chunks.append((units[first][0], units[end_i][1]))
        if end_i + 1 >= len(units):
            break
        # Step back over trailing sentences that fit in the overlap, but always move forward.
        nxt = end_i + 1
        while nxt - 1 > first and units[end_i][1] - units[nxt - 1][0] <= overlap:
            nxt -= 1
        i = nxt
    return [(s, e) for s, e in chunks if text[s:e].strip()]


def _flows(doc: ParsedDocument) -> list[list[int]]:
    """Runs of consecutive sections that read on from one another: the pages of one text.

    A sentence cut by a page break is whole again only if chunks may cross pages; other
    sections (slides, sheets, headings) stand alone.
    """
    flows: list[list[int]] = []
    for number, section in enumerate(doc.sections):
        loc = section.location
        if flows and loc.page is not None:
            prev = doc.sections[flows[-1][-1]].location
            if prev.page is not None and prev.heading == loc.heading:
                flows[-1].append(number)
                continue
        flows.append([number])
    return flows


def chunk_document(doc: ParsedDocument, size: int, overlap: int) -> list[Chunk]:
    """Chunk ``doc``; a chunk never crosses a section, except from one page onto the next.

    A chunk's location is that of its first section (its first page), with ``page_end``
    set when it runs onto later pages. ``start`` is an offset into the first section's
    display text and ``end`` one into the last section's; ``norm_text`` is what is indexed.
    """
    chunks: list[Chunk] = []
    for flow in _flows(doc):
        texts = [doc.sections[n].text for n in flow]
        joined = "\n".join(texts)
        starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        for start, end in chunk_spans(joined, size, overlap):
            raw = joined[start:end]
            norm = normalize(raw)
            if not norm:
                continue
            lead = start + len(raw) - len(raw.lstrip())
            trail = start + len(raw.rstrip())
            first = bisect.bisect_right(starts, lead) - 1
            last = bisect.bisect_right(starts, max(trail - 1, lead)) - 1
            location = doc.sections[flow[first]].location
            breaks = tuple(
                (starts[k] - lead, page)
                for k in range(first + 1, last + 1)
                if (page := doc.sections[flow[k]].location.page) is not None
            )
            read = [doc.sections[flow[k]].ocr for k in range(first, last + 1)]
            if last > first:
                end_page = doc.sections[flow[last]].location.page
                location = dataclasses.replace(location, page_end=end_page)
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    text=raw.strip(),
                    norm_text=norm,
                    location=location,
                    section=flow[first],
                    start=lead - starts[first],
                    end=trail - starts[last],
                    page_breaks=breaks,
                    ocr=min((c for c in read if c is not None), default=None),
                )
            )
    return chunks


def total_chars(chunks: Sequence[Chunk]) -> int:
    """Characters of display text across ``chunks``."""
    return sum(len(c.text) for c in chunks)
