"""Change markers: what tells a source's entry was rewritten, as a document's ``mtime_ns``.

A file share keeps modification times to 100 ns, which tell every write. Blob stores keep
them to the second, so an entry rewritten twice in a second with the same size would look
unchanged; their ETag changes with every write. ``marker`` keeps the whole seconds of the
modification time (what is shown) and puts a hash of the ETag in the nanoseconds a second-
resolution time leaves empty: a new ETag is a new marker.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

_SECOND = 1_000_000_000


def nanoseconds(moment: datetime | None) -> int:
    """``moment`` (naive: UTC) in whole nanoseconds since the epoch; 0 when unknown."""
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    whole = int(moment.replace(microsecond=0).timestamp())
    return whole * _SECOND + moment.microsecond * 1000


def marker(moment: datetime | None, etag: str | None) -> int:
    """The change marker of an entry modified at ``moment`` (to the second) with ``etag``."""
    whole = nanoseconds(moment) // _SECOND * _SECOND
    if not etag:
        return nanoseconds(moment)
    digest = hashlib.sha256(etag.strip('"').encode()).digest()
    return whole + int.from_bytes(digest[:8], "big") % _SECOND
