"""Text normalization for indexing, and line re-flowing for text extracted from layouts."""

from __future__ import annotations

import re
import unicodedata

from yomitoki.text.language import JAPANESE, JAPANESE_CHAR

_JA = JAPANESE
_SPACE_BETWEEN_JA = re.compile(
    f"(?<=[{_JA}])[ \\t\\u3000]+(?=[{_JA}0-9])|(?<=[{_JA}0-9])[ \\t\\u3000]+(?=[{_JA}])"
)
# OCR of Japanese text spaces out what it reads: "第3 2 条 (目的)". Around a Japanese
# character or ASCII bracket, and between digits, a space is an artifact in a Japanese line.
_OCR_GAP = re.compile(f"(?<=[{_JA}()])[ \\t]+|[ \\t]+(?=[{_JA}()])|(?<=[0-9])[ \\t]+(?=[0-9])")
_RUNS_OF_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

# A line that starts a new item rather than continuing the previous line.
_ITEM_START = re.compile(
    r"^\s*(?:[-•・●○■□◆◇▪*]|[①-⑳]|\(?[0-9０-９]{1,3}[.)）．]|（[^）]{1,4}）|[（(][a-zA-Zア-ン][)）]"
    r"|第[0-9０-９一二三四五六七八九十百]+[条章節項]|【|〔|[A-Z][.)]\s)"
)
_SENTENCE_END = re.compile(r"[。．.!?！？:：」』）)]\s*$")


def normalize(text: str) -> str:
    """Return the form of ``text`` that is indexed and embedded.

    Unicode NFKC (full-width digits and letters become ASCII), control characters dropped,
    spaces between Japanese characters removed (PDF extraction inserts them), runs of
    white space folded to one space.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _RUNS_OF_SPACE.sub(" ", text)
    text = _SPACE_BETWEEN_JA.sub("", text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    return text.strip()


def close_japanese_gaps(line: str) -> str:
    """An OCR'd line with the spaces a Japanese line does not have removed.

    In a line that is mostly Japanese, spaces next to a Japanese character or a bracket and
    between digits go ("第3 2 条 (目的)" -> "第32条(目的)"); other lines keep their spaces.
    """
    letters = [ch for ch in line if not ch.isspace()]
    japanese = sum(1 for ch in letters if JAPANESE_CHAR.match(ch))
    if not letters or japanese * 2 < len(letters):
        return line
    return _OCR_GAP.sub("", line)


def _width(line: str) -> int:
    """Display width: Japanese characters count twice."""
    return len(line) + len(JAPANESE_CHAR.findall(line))


def reflow(text: str) -> str:
    """Join lines that a page layout wrapped, keeping real line breaks.

    Japanese lines are joined with nothing between them, other lines with one space, and a
    word hyphenated across a line break is rejoined. A line break is kept before a list
    item or a heading marker, and after a line that ends a sentence or is much shorter
    than the widest lines (the last line of a paragraph, a title).
    """
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in cleaned.split("\n")]
    # A line much shorter than the widest ones ends its paragraph (titles, last lines).
    full = max((_width(line) for line in lines), default=0) * 0.6
    out: list[str] = []
    for number, line in enumerate(lines):
        if not out:
            out.append(line)
            continue
        prev = out[-1]
        short = _width(lines[number - 1]) < full
        blank = not line.strip() or not prev.strip()
        if blank or short or _SENTENCE_END.search(prev) or _ITEM_START.match(line):
            out.append(line)
        elif prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line[:1].islower():
            out[-1] = prev[:-1] + line.lstrip()
        elif JAPANESE_CHAR.match(prev[-1]) and JAPANESE_CHAR.match(line.lstrip()[:1] or " "):
            out[-1] = prev + line.lstrip()
        else:
            out[-1] = prev + " " + line.lstrip()
    return _MANY_NEWLINES.sub("\n\n", "\n".join(out)).strip()
