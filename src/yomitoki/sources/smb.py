"""``smb://SERVER[:PORT]/SHARE[/PATH]``: a Windows file share (共有フォルダ) or Samba, through
smbprotocol. User, password and domain come from settings; readers from each file's ACL
(``sources.acl``), SIDs mapped to groups by the ``smb_sids`` setting."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import smbclient
from smbprotocol.exceptions import (
    BadNetworkName,
    LogonFailure,
    SMBAuthenticationError,
    SMBException,
    SMBOSError,
)
from smbprotocol.header import NtStatus

from yomitoki.errors import ConfigError, SourceError
from yomitoki.ingest.source import GoneError, Listed, Source
from yomitoki.sources import SourceOptions
from yomitoki.sources.acl import readers_of, security_descriptor
from yomitoki.sources.stamps import nanoseconds

_DIRECTORY = 0x10
_REFUSED = (
    "{uri}: the server refused the user or password (settings smb_user, smb_password, smb_domain)"
)


class SMBSource(Source):
    """The files of one share under a path, every folder walked."""

    def __init__(self, server: str, port: int | None, path: str, options: SourceOptions) -> None:
        share, _, under = path.partition("/")
        if not server or not share:
            raise ConfigError("an SMB source is smb://SERVER[:PORT]/SHARE[/PATH]")
        where = f"{server}:{port}" if port else server
        self.uri = f"smb://{where}/{path}".rstrip("/")
        self._root = "\\".join([f"\\\\{server}", share, *filter(None, under.split("/"))])
        self._options = options
        self._cache: dict[str, object] = {}
        self._session = {
            "username": _qualified(options.smb_user, options.smb_domain),
            "password": options.smb_password,
            "port": port or 445,
            "connection_timeout": int(options.timeout),
            "connection_cache": self._cache,
        }

    def listing(self) -> Iterator[Listed]:
        folders = [""]
        with _failures(self.uri):
            while folders:
                folder = folders.pop()
                for entry in smbclient.scandir(self._path(folder), **self._session):
                    key = f"{folder}/{entry.name}" if folder else entry.name
                    info = entry.smb_info
                    if info.file_attributes & _DIRECTORY:
                        folders.append(key)
                        continue
                    yield Listed(
                        key,
                        info.end_of_file,
                        nanoseconds(info.last_write_time),
                        self._readers(key),
                    )

    def _readers(self, key: str) -> tuple[str, ...]:
        if not self._options.smb_acls:
            return ()
        descriptor = security_descriptor(self._path(key), self._session)
        return readers_of(descriptor, self._options.sids)

    def read(self, key: str, into: BinaryIO) -> None:
        with _failures(self.uri):
            try:
                with smbclient.open_file(self._path(key), mode="rb", **self._session) as fh:
                    shutil.copyfileobj(fh, into, 1 << 20)
            except SMBOSError as exc:
                if exc.errno == errno.ENOENT:
                    raise GoneError(key) from None
                raise

    def close(self) -> None:
        smbclient.reset_connection_cache(connection_cache=self._cache)

    def _path(self, key: str) -> str:
        return "\\".join([self._root, *filter(None, key.split("/"))])


def _qualified(user: str | None, domain: str | None) -> str | None:
    """``DOMAIN\\user`` when a domain is set."""
    return f"{domain}\\{user}" if user and domain else user


@contextmanager
def _failures(uri: str) -> Iterator[None]:
    """The client's errors as one clear SourceError each (no password is in them)."""
    try:
        yield
    except GoneError:
        raise
    except (SMBAuthenticationError, LogonFailure):
        raise SourceError(_REFUSED.format(uri=uri)) from None
    except BadNetworkName:
        raise SourceError(f"{uri}: no such share") from None
    except SMBOSError as exc:
        if exc.ntstatus == NtStatus.STATUS_LOGON_FAILURE:
            raise SourceError(_REFUSED.format(uri=uri)) from None
        if exc.ntstatus == NtStatus.STATUS_BAD_NETWORK_NAME:
            raise SourceError(f"{uri}: no such share") from None
        if exc.errno == errno.ENOENT:
            raise SourceError(f"{uri}: no such share or folder") from None
        if exc.errno == errno.EACCES:
            raise SourceError(f"{uri}: access denied") from None
        raise SourceError(f"{uri}: {exc.strerror}") from None
    except SMBException as exc:
        raise SourceError(f"{uri}: {exc}") from None
    except ValueError as exc:  # smbprotocol's word for a connection that failed
        raise SourceError(f"{uri}: cannot reach the server ({exc})") from None
    except OSError as exc:
        raise SourceError(f"{uri}: cannot reach the server ({exc.strerror or exc})") from None
