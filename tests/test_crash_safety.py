"""A real ingest process killed with SIGKILL mid-run leaves only whole documents behind."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import builders

# A subprocess killed with SIGKILL: make test and CI, not make check.
pytestmark = pytest.mark.slow


def committed(index: Path) -> int:
    try:
        with sqlite3.connect(index, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def check_consistent(index: Path) -> int:
    with sqlite3.connect(index) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        bad = conn.execute(
            "SELECT d.name FROM documents d LEFT JOIN chunks c ON c.document_id = d.id "
            "GROUP BY d.id HAVING COUNT(c.id) != d.chunk_count"
        ).fetchall()
        assert bad == [], f"documents with missing chunks: {bad}"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM chunks c LEFT JOIN vectors v ON v.key = c.vector_key "
            "WHERE v.key IS NULL OR c.document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        assert orphans == 0
        return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])


#: The ingest command, run in its own process, that stops inside its third document's write
#: transaction (its chunks are in, its terms are next) and says so by creating ``MARK``: the
#: test kills it there with SIGKILL, so the kill always lands mid-write, on any machine.
STOPPING_INGEST = """
import sys, time
from pathlib import Path
from yomitoki.index.sqlite import store
from yomitoki.cli import main

written = []
real = store.write_terms

def write_terms(conn, chunks):
    written.append(1)
    if len(written) == 3:
        Path(sys.argv[1]).touch()
        time.sleep(600)
    return real(conn, chunks)

store.write_terms = write_terms
main(sys.argv[2:])
"""


def test_kill_9_mid_write_leaves_whole_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(40):
        body = "".join(f"文書{i}の第{j}条です。規程の内容を説明します。" for j in range(12))
        builders.text(corpus / f"doc{i:02d}.md", f"# 規程 {i}\n\n{body}")
    index = tmp_path / "crash.sqlite"
    mark = tmp_path / "inside-the-third-write"
    args = ["ingest", str(corpus), "--index", str(index), "--embedder", "hash"]
    stopping = [sys.executable, "-c", STOPPING_INGEST, str(mark), *args]
    log = tmp_path / "ingest.log"
    with log.open("wb") as errors:
        proc = subprocess.Popen(stopping, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 120
        while not mark.exists():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the ingest never reached its third write"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert check_consistent(index) == 2  # the third document's half-written rows are gone
    # A second run finishes the job and keeps what the first one committed.
    done = subprocess.run(
        [sys.executable, "-m", "yomitoki", *args, "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"unchanged": 2' in done.stdout
    assert check_consistent(index) == 40
