"""The one glob syntax of ingest settings (wcmatch): ``exclude`` names and permission paths.

``**`` crosses folders, ``*`` and ``?`` stay within one, ``[...]`` is a class, and a leading
``.`` is matched like any character (so ``.*`` excludes hidden files and ``**`` covers them).
"""

from __future__ import annotations

from wcmatch import glob

_FLAGS = glob.GLOBSTAR | glob.DOTGLOB


def matches(path: str, pattern: str) -> bool:
    """Whether ``path`` (a name, or a POSIX path under the ingested folder) matches ``pattern``."""
    return bool(glob.globmatch(path, pattern, flags=_FLAGS))
