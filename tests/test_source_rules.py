"""The sources' rules that need no server: which URIs are sources, reader tokens from
metadata, change markers, and an SMB file's readers from its ACL (failing closed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from smbprotocol.security_descriptor import (
    AccessAllowedAce,
    AccessDeniedAce,
    AclPacket,
    SIDPacket,
    SMB2CreateSDBuffer,
)

from yomitoki import assemble
from yomitoki.errors import ConfigError
from yomitoki.ingest.source import reader_tokens
from yomitoki.settings import load_settings
from yomitoki.sources import is_source
from yomitoki.sources.acl import ADMINS_ONLY, readers_of
from yomitoki.sources.stamps import marker

READ, WRITE = 0x1, 0x2
HR, LEGAL, OTHER = "S-1-5-21-1-2-3-1104", "S-1-5-21-1-2-3-1105", "S-1-5-21-1-2-3-1999"
EVERYONE_SID = "S-1-1-0"


def test_sources_are_told_from_folders_and_bad_uris_say_why() -> None:
    assert is_source("az://docs/hr") and is_source("s3://bucket") and is_source("SMB://fs/x")
    assert not is_source("docs/hr") and not is_source("C:\\docs") and not is_source("az:docs")
    settings = load_settings(index="x.sqlite")
    for uri, said in (
        ("ftp://host/x", "not a source"),
        ("s3://", "not a source"),
        ("smb://user:pw@fs/share", "no user, password"),
        ("az://docs?sig=abc", "no user, password, query"),
        ("smb://fs:notaport/share", "port is not a number"),
        ("smb://fs", "SERVER[:PORT]/SHARE"),
    ):
        with pytest.raises(ConfigError, match=said.replace("[", r"\[").replace("]", r"\]")):
            assemble.source(settings, uri)


def test_reader_tokens_keep_groups_users_and_everyone_only() -> None:
    assert reader_tokens("group:hr, user:alice  *") == ("*", "group:hr", "user:alice")
    assert reader_tokens("admin hr group: user:") == ()


def test_a_new_etag_is_a_new_marker_within_the_same_second() -> None:
    moment = datetime(2026, 12, 6, 5, 0, 0, tzinfo=UTC)
    one, other = marker(moment, '"0x8DC1"'), marker(moment, '"0x8DC2"')
    assert one != other and one // 10**9 == other // 10**9 == int(moment.timestamp())
    assert marker(moment, '"0x8DC1"') == one  # the same write, the same marker


def descriptor(*aces: tuple[str, str, int]) -> SMB2CreateSDBuffer:
    """A security descriptor whose DACL holds ``(allow|deny, SID, mask)`` entries."""
    built = []
    for kind, sid_text, mask in aces:
        ace = AccessAllowedAce() if kind == "allow" else AccessDeniedAce()
        sid = SIDPacket()
        sid.from_string(sid_text)
        ace["sid"] = sid
        ace["mask"] = mask
        built.append(ace)
    acl = AclPacket()
    acl["aces"] = built
    sd = SMB2CreateSDBuffer()
    sd.set_dacl(acl)
    parsed = SMB2CreateSDBuffer()
    parsed.unpack(sd.pack())
    return parsed


SIDS = {HR: "group:hr", LEGAL: "group:legal"}


def test_an_acl_admits_the_mapped_sids_that_may_read_and_fails_closed() -> None:
    assert readers_of(descriptor(("allow", HR, READ), ("allow", LEGAL, WRITE)), SIDS) == (
        "group:hr",
    )
    assert readers_of(descriptor(("allow", EVERYONE_SID, READ)), SIDS) == ("*",)
    # A SID the table does not name admits nobody; none known: admins only.
    assert readers_of(descriptor(("allow", OTHER, READ)), SIDS) == (ADMINS_ONLY,)
    # A deny takes its SID out, and every-user access with it (a union cannot say "all but").
    denied = descriptor(("deny", LEGAL, READ), ("allow", EVERYONE_SID, READ), ("allow", HR, READ))
    assert readers_of(denied, SIDS) == ("group:hr",)
    assert readers_of(descriptor(("deny", OTHER, READ), ("allow", EVERYONE_SID, READ)), SIDS) == (
        ADMINS_ONLY,
    )
