"""Strings inside Milvus filter expressions, made safe, and keyword terms made into tokens.

A filter is text that Milvus parses, and the strings in it come from people: file names,
categories, group names, a path prefix on a command line. Milvus's parser accepts ``\\"`` and
``\\\\`` in a string literal but not control characters (a literal holding a new line matches
nothing, or stalls the parser), and lone surrogates cannot be sent at all. So every string
compared in a filter is stored *encoded*: each character that is not printable, or is one of
``" \\ % '``, becomes ``%`` and six hex digits. The code is prefix-free, so ``p`` is a prefix
of ``n`` exactly when ``encode(p)`` is a prefix of ``encode(n)``: prefix filters stay exact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_SPECIAL = frozenset("\"\\%'")
_LAST = chr(0x10FFFF)


def encode(text: str) -> str:
    """``text`` with every character a filter could trip on written as ``%XXXXXX``."""
    return "".join(f"%{ord(c):06x}" if c in _SPECIAL or not c.isprintable() else c for c in text)


def literal(encoded: str) -> str:
    """A double-quoted filter literal of an already encoded string."""
    if any(not c.isprintable() for c in encoded):
        raise ValueError("only encoded strings may go into a Milvus filter")
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literals(encoded: Iterable[str]) -> str:
    """A filter list of encoded strings: ``["a", "b"]``."""
    return "[" + ", ".join(literal(s) for s in encoded) + "]"


def successor(encoded: str) -> str | None:
    """The least string greater than every string starting with ``encoded``; None: none is.

    ``name >= p and name < successor(p)`` is then exactly "name starts with p" (Milvus
    compares strings byte by byte, which for UTF-8 is code point order).
    """
    text = encoded
    while text and text[-1] == _LAST:
        text = text[:-1]
    if not text:
        return None
    following = ord(text[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # no surrogates in UTF-8: jump past them
        following = 0xE000
    return text[:-1] + chr(following)


def token(term: str) -> str:
    """An analyzer term as one Milvus token: 12 hex digits of its hash.

    Milvus's own tokenizers would split or fold terms (a standard tokenizer cuts Japanese into
    single characters); a hash is one token under the whitespace tokenizer, whatever the term.
    48 bits: among a million distinct terms, two share a token with odds of about 1 in 500.
    """
    return hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
