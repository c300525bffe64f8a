"""Real storage servers on loopback for the sources' tests: Azurite (Microsoft's Azure
Storage emulator, npm) for Blob, moto's S3 server (PyPI) for S3, Debian's Samba for SMB.

Each starts once a session, on a free port, in a folder of its own. Where one is missing the
tests that need it skip with the reason, except in CI (``CI`` set), where .ci/run installs
all three and a missing one fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

AZURITE = Path(__file__).parent / "js" / "node_modules" / ".bin" / "azurite-blob"
#: Azurite's one account and its key: the emulator's published development credentials.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
SMB_USER, SMB_PASSWORD = "root", "s3cret-Pa55"


def missing(what: str, how: str) -> None:
    """Skip for want of ``what`` (``how`` brings it), or fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what} for the sources' tests ({how})")
    pytest.skip(f"{what} is not installed ({how})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Until something listens on ``port``; fails with the server's log if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def running(command: list[str], port: int, folder: Path) -> Iterator[None]:
    log = folder / "server.log"
    with log.open("wb") as out:
        # A process group of its own: smbd signals its whole group when it stops.
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=folder, process_group=0
        )
        try:
            wait_for(port, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def azurite_connection(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )


@contextmanager
def azurite_in(folder: Path) -> Iterator[str]:
    """Azurite's Blob service on a free loopback port, keeping its data in ``folder``: its
    connection string (for the tests, and bench.sync_latency)."""
    port = free_port()
    command = [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port),
               "--location", str(folder), "--skipApiVersionCheck", "--loose",
               "--silent"]  # fmt: skip
    with running(command, port, folder):
        yield azurite_connection(port)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite's Blob service on loopback: its connection string."""
    if not AZURITE.exists() or shutil.which("node") is None:
        missing("Azurite", "make test runs npm ci in tests/js")
    with azurite_in(tmp_path_factory.mktemp("azurite")) as connection:
        yield connection


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server (a real HTTP server speaking S3's protocol) on loopback: its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto[server]", "pip install -e '.[dev]'")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    # The usual AWS variables, as a user sets them (moto takes any key).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "yomitoki-test")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "yomitoki-test-secret")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@dataclass(frozen=True)
class Share:
    """A Samba share on loopback: its port and the folder it serves."""

    port: int
    folder: Path

    def uri(self, path: str = "") -> str:
        return f"smb://127.0.0.1:{self.port}/docs/{path}".rstrip("/")


def samba_config(folder: Path, share: Path, port: int) -> Path:
    for sub in ("run", "lock", "state", "cache", "private", "ncalrpc"):
        (folder / sub).mkdir(exist_ok=True)
    config = folder / "smb.conf"
    config.write_text(
        f"""[global]
workgroup = TESTGROUP
server role = standalone server
smb ports = {port}
interfaces = 127.0.0.1
bind interfaces only = yes
pid directory = {folder}/run
lock directory = {folder}/lock
state directory = {folder}/state
cache directory = {folder}/cache
private dir = {folder}/private
ncalrpc dir = {folder}/ncalrpc
log file = {folder}/log.%m
passdb backend = tdbsam:{folder}/private/passdb.tdb
map to guest = never
server min protocol = SMB2
load printers = no
printing = bsd
printcap name = /dev/null
disable spoolss = yes

[docs]
path = {share}
read only = yes
"""
    )
    return config


@pytest.fixture(scope="session")
def samba(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Share]:
    """Debian's smbd on a loopback port, sharing a folder as ``docs`` to SMB_USER."""
    smbd, pdbedit = (
        shutil.which("smbd", path="/usr/sbin:/usr/bin"),
        shutil.which("pdbedit", path="/usr/sbin:/usr/bin"),
    )
    if smbd is None or pdbedit is None:
        missing("Samba", ".ci/system-packages --test installs Debian's samba")
    if os.geteuid() != 0:
        pytest.skip("Samba's test share runs as root (as CI and this machine's sessions do)")
    folder, port = tmp_path_factory.mktemp("samba"), free_port()
    share = folder / "share"
    share.mkdir()
    config = samba_config(folder, share, port)
    subprocess.run(
        [pdbedit, "-s", str(config), "-a", "-u", SMB_USER, "-t"],
        input=f"{SMB_PASSWORD}\n{SMB_PASSWORD}\n".encode(),
        check=True,
        capture_output=True,
    )
    command = [smbd, "--foreground", "--no-process-group", "--debug-stdout", "-s", str(config)]
    with running(command, port, folder):
        yield Share(port, share)


class Box:
    """One place documents are kept, as a test fills it: a container, a bucket or a folder of
    the share, new for each test."""

    kind: str
    uri: str

    def put(self, name: str, data: bytes, readers: str | None = None) -> None:
        """Write ``name`` with ``data``; ``readers``: its ``yomitoki_readers`` value (SMB:
        ``group:hr`` makes the file readable by that Unix group only, as an ACL says)."""
        raise NotImplementedError

    def delete(self, name: str) -> None:
        raise NotImplementedError

    def settings(self) -> dict[str, object]:
        """The settings that reach it."""
        raise NotImplementedError


#: The Unix groups a share's files are given to be readable by one group only, as an ACL
#: says; their SIDs (Samba's "Unix Group" SIDs) are mapped back by ``smb_sids``.
GIDS = {"hr": 4321, "legal": 4322, "sales": 4323}
SIDS = {f"S-1-22-2-{gid}": group for group, gid in GIDS.items()}


class AzureBox(Box):
    kind = "azure"

    def __init__(self, connection: str, container: str) -> None:
        from azure.storage.blob import ContainerClient

        self.connection = connection
        self.client = ContainerClient.from_connection_string(connection, container)
        self.client.create_container()
        self.uri = f"az://{container}"

    def put(self, name: str, data: bytes, readers: str | None = None) -> None:
        metadata = {"yomitoki_readers": readers} if readers else None
        self.client.upload_blob(name, data, overwrite=True, metadata=metadata)

    def delete(self, name: str) -> None:
        self.client.delete_blob(name)

    def settings(self) -> dict[str, object]:
        return {"azure_connection_string": self.connection}


class S3Box(Box):
    kind = "s3"

    def __init__(self, endpoint: str, bucket: str) -> None:
        import boto3

        self.endpoint = endpoint
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        self.client.create_bucket(Bucket=bucket)
        self.bucket = bucket
        self.uri = f"s3://{bucket}"

    def put(self, name: str, data: bytes, readers: str | None = None) -> None:
        tagging = {"Tagging": f"yomitoki_readers={readers}"} if readers else {}
        self.client.put_object(Bucket=self.bucket, Key=name, Body=data, **tagging)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def settings(self) -> dict[str, object]:
        return {"s3_endpoint_url": self.endpoint, "s3_region": "us-east-1"}


class SMBBox(Box):
    kind = "smb"

    def __init__(self, share: Share, folder: str) -> None:
        self.root = share.folder / folder
        self.root.mkdir()
        self.uri = share.uri(folder)

    def put(self, name: str, data: bytes, readers: str | None = None) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if readers is None:
            path.chmod(0o644)
            return
        group = readers.removeprefix("group:")
        assert group in GIDS, "a share's test file is one group's or everyone's"
        os.chown(path, 0, GIDS[group])
        path.chmod(0o640)

    def delete(self, name: str) -> None:
        (self.root / name).unlink()

    def settings(self) -> dict[str, object]:
        return {"smb_user": SMB_USER, "smb_password": SMB_PASSWORD, "smb_sids": SIDS}


KINDS = ("azure", "s3", "smb")


def new_box(kind: str, request: pytest.FixtureRequest) -> Box:
    """An empty container, bucket or share folder of ``kind``, on the session's server."""
    name = f"t{uuid.uuid4().hex[:12]}"
    if kind == "azure":
        return AzureBox(request.getfixturevalue("azurite"), name)
    if kind == "s3":
        return S3Box(request.getfixturevalue("s3_endpoint"), name)
    return SMBBox(request.getfixturevalue("samba"), name)


def fill(box: Box, root: Path, readers: Callable[[str], str | None]) -> None:
    """Put every file under ``root`` into ``box`` by its path, with ``readers(path)``."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            name = path.relative_to(root).as_posix()
            box.put(name, path.read_bytes(), readers(name))


@pytest.fixture(params=KINDS)
def box(request: pytest.FixtureRequest) -> Box:
    """An empty container, bucket or share folder of each kind, new for the test."""
    return new_box(request.param, request)
