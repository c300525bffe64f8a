"""An SMB file's readers from its security descriptor: the SIDs its DACL lets read, mapped
to reader tokens by a table (``smb_sids``), failing closed.

Everyone (S-1-1-0) and Authenticated Users (S-1-5-11) mean every signed-in user. A SID the
table does not name admits nobody here. A deny entry that takes read away removes its SID's
token and, since a union of readers cannot say "all but these", every-user access too. A
file none of whose readers is known is readable by admins only (``ADMINS_ONLY``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smbclient._io import SMBFileTransaction, SMBRawIO
from smbprotocol.file_info import InfoType
from smbprotocol.open import (
    FilePipePrinterAccessMask,
    SMB2QueryInfoRequest,
    SMB2QueryInfoResponse,
)
from smbprotocol.security_descriptor import (
    AccessAllowedAce,
    AccessDeniedAce,
    SMB2CreateSDBuffer,
)

from yomitoki.types import EVERYONE

#: A reader token no principal holds: only admins read such a document.
ADMINS_ONLY = "group:(admins only)"
_EVERYONE_SIDS = {"S-1-1-0": EVERYONE, "S-1-5-11": EVERYONE}
# FILE_READ_DATA, GENERIC_READ, GENERIC_ALL: the rights that let a SID read a file's bytes.
_READS = 0x1 | 0x80000000 | 0x10000000
_OWNER, _GROUP, _DACL = 0x1, 0x2, 0x4


def security_descriptor(path: str, session: Mapping[str, Any]) -> SMB2CreateSDBuffer:
    """The owner, group and DACL of the file at ``path`` (a UNC path), read with READ_CONTROL."""
    raw = SMBRawIO(
        path,
        mode="r",
        share_access="rwd",
        desired_access=FilePipePrinterAccessMask.READ_CONTROL,
        **session,
    )
    request = SMB2QueryInfoRequest()
    request["info_type"] = InfoType.SMB2_0_INFO_SECURITY
    request["file_info_class"] = 0
    request["additional_information"] = _OWNER | _GROUP | _DACL
    request["output_buffer_length"] = 65536

    def received(sent: Any) -> SMB2CreateSDBuffer:
        response = raw.fd.connection.receive(sent)
        answer = SMB2QueryInfoResponse()
        answer.unpack(response["data"].get_value())
        descriptor = SMB2CreateSDBuffer()
        descriptor.unpack(answer["buffer"].get_value())
        return descriptor

    with SMBFileTransaction(raw) as transaction:
        request["file_id"] = raw.fd.file_id
        transaction += (request, received)
    result: SMB2CreateSDBuffer = transaction.results[0]
    return result


def readers_of(descriptor: SMB2CreateSDBuffer, sids: Mapping[str, str]) -> tuple[str, ...]:
    """The reader tokens ``descriptor``'s DACL admits, by ``sids`` (SID -> token)."""
    table = {**_EVERYONE_SIDS, **sids}
    dacl = descriptor.get_dacl()
    if dacl is None:
        # No DACL at all: Windows lets everyone in.
        return (EVERYONE,)
    allowed: set[str] = set()
    denied: set[str] = set()
    for ace in dacl["aces"].get_value():
        if not isinstance(ace, AccessAllowedAce | AccessDeniedAce):
            continue
        if not int(ace["mask"].get_value()) & _READS:
            continue
        token = table.get(str(ace["sid"]))
        if isinstance(ace, AccessDeniedAce):
            denied.add(token or ADMINS_ONLY)
        elif token is not None:
            allowed.add(token)
    if denied:
        allowed -= denied | {EVERYONE}
    return tuple(sorted(allowed)) or (ADMINS_ONLY,)
