"""The one rule for document names, shared by folder ingest and uploads.

A name becomes a citation (``name#page=N``), a URL path under ``/content/`` and, for uploads,
a file on disk. So a name is NFC-normalized (macOS writes NFD; a citation must match what a
person types) and refused when it would break one of those uses.
"""

from __future__ import annotations

import unicodedata

from yomitoki.errors import InvalidNameError
from yomitoki.text import citations

# Windows device names: a file called one of these cannot be created or opened there.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
#: Unicode categories a name may not hold: controls, format characters (bidirectional
#: overrides and marks, zero-width characters: text that looks like another name) and line
#: and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})
MAX_NAME_BYTES = 255
#: The top-level folder of every uploaded document's name: no ingested folder produces it,
#: so an upload never takes, shadows or reveals the name of an ingested document.
UPLOADS = "uploads"


def check_part(part: str) -> str:
    """One path component, NFC-normalized; raises InvalidNameError with the rule it breaks."""
    name = unicodedata.normalize("NFC", part)
    if not name or not name.strip():
        raise InvalidNameError(part, "the name is empty")
    if "/" in name or "\\" in name:
        raise InvalidNameError(part, "a file name may not contain '/' or '\\'")
    if any(unicodedata.category(char) in _INVISIBLE for char in name):
        raise InvalidNameError(
            part,
            "the name contains invisible characters (controls, bidirectional or "
            "zero-width marks, line separators)",
        )
    if name.startswith("."):
        raise InvalidNameError(part, "the name starts with '.' (hidden files are not indexed)")
    if name.startswith("~$"):
        raise InvalidNameError(part, "the name starts with '~$' (an Office lock file)")
    if "#" in name:
        raise InvalidNameError(part, "the name contains '#', which citations use for the page")
    if name != name.strip() or name.endswith("."):
        raise InvalidNameError(part, "the name starts or ends with a space or ends with '.'")
    if name.split(".")[0].lower() in _RESERVED:
        raise InvalidNameError(part, f"'{name.split('.')[0]}' is a reserved device name")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidNameError(part, f"the name is longer than {MAX_NAME_BYTES} bytes")
    return name


def check_name(relative: str) -> str:
    """A POSIX relative path (``sub/file.pdf``) with every component checked, NFC-normalized,
    that an answer can cite as itself."""
    return check_cited("/".join(check_part(part) for part in relative.split("/")))


def check_cited(name: str) -> str:
    """``name`` when ``[name]`` and ``[name#page=2]`` cite it whole (``text.citations``)."""
    if not citations.cites(name):
        raise InvalidNameError(
            name,
            "an answer could not cite it: brackets must be balanced and one deep, and a "
            "comma or semicolon may not stand between two names (a.pdf, b.pdf)",
        )
    return name


def check_folder_name(relative: str) -> str:
    """A name under an ingested folder (``check_name``); its top level may not be the one
    uploads are kept under."""
    name = check_name(relative)
    if "/" in name and name.split("/", 1)[0].casefold() == UPLOADS:
        raise InvalidNameError(
            relative,
            f"the top-level folder '{UPLOADS}' is reserved for files uploaded through the "
            "server; ingest that folder on its own, or rename it",
        )
    return name


def upload_name(folder: str | None, file: str) -> str:
    """The name of an upload: ``uploads/FOLDER/FILE`` (a user's own folder) or, for an
    admin's, ``uploads/FILE``; InvalidNameError when an answer could not cite it."""
    return check_cited("/".join(part for part in (UPLOADS, folder, file) if part))
