"""A document without pages (Markdown, HTML, Word, PowerPoint, Excel, text) as a page to
read: its text as ingest parsed it, under its headings, with a cited sentence marked.

Everything of the document is text here: it is escaped, so markup in it shows as written and
nothing of it runs (the page is also served sandboxed, without script). The cited sentence is
found as on a PDF page (``highlight.locate``) and wrapped in ``<mark id="cited">``; a frame
that opens ``…#cited`` scrolls to it without script. Each slide or sheet is a section with an
id (``slide-3``, ``sheet-Prices``), so a citation's anchor opens at its place when the
sentence is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from yomitoki.server.highlight import locate
from yomitoki.types import ParsedDocument, Section

#: The page's own look: readable lines, the mark visible, nothing fetched.
_STYLE = (
    "body{font:16px/1.75 system-ui,'Hiragino Sans','Noto Sans JP','Yu Gothic',sans-serif;"
    "color:#1d232a;margin:0 auto;padding:1rem;max-width:46rem;overflow-wrap:anywhere;"
    "line-break:strict}"
    "h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.6rem}h3{font-size:1rem}"
    "p{margin:.6rem 0;white-space:pre-wrap}"
    "mark{background:#ffe48a;outline:2px solid #d68c00;border-radius:2px;scroll-margin:30vh}"
    "section{scroll-margin:1rem}"
)


@dataclass(frozen=True, slots=True)
class Reading:
    """The page, and whether the cited sentence was found on it."""

    html: str
    found: bool


def _anchor(section: Section) -> str | None:
    fragment = section.location.anchor()
    return fragment.replace("=", "-") if fragment and not fragment.startswith("page=") else None


def _paragraphs(text: str, span: tuple[int, int] | None) -> str:
    """``text`` as escaped paragraphs, characters ``span`` (inclusive) in the mark."""
    if span is not None:
        first, last = span
        marked = (
            escape(text[:first])
            + '<mark id="cited">'
            + escape(text[first : last + 1])
            + "</mark>"
            + escape(text[last + 1 :])
        )
    else:
        marked = escape(text)
    return "".join(f"<p>{piece.strip()}</p>" for piece in marked.split("\n\n") if piece.strip())


def render(doc: ParsedDocument, title: str, sentence: str | None) -> Reading:
    """``doc`` as an HTML page titled ``title``, ``sentence`` marked where it is found."""
    # The first section that holds the sentence; the ones after it are not searched.
    found = (
        (i, span)
        for i, section in enumerate(doc.sections)
        if sentence and (span := locate(list(section.text), sentence)) is not None
    )
    hit, marked = next(found, (None, None))
    out = [
        '<!doctype html><html><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    headings: tuple[str, ...] = ()
    for index, section in enumerate(doc.sections):
        if section.location.heading != headings:
            headings = section.location.heading
            if headings:
                level = min(len(headings) + 1, 3)
                out.append(f"<h{level}>{escape(headings[-1])}</h{level}>")
        anchor = _anchor(section)
        opening = f'<section id="{escape(anchor)}">' if anchor else "<section>"
        span = marked if index == hit else None
        out.append(opening + _paragraphs(section.text, span) + "</section>")
    out.append("</body></html>")
    return Reading("".join(out), hit is not None)
