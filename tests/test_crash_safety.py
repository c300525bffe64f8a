"""A real ingest process killed with SIGKILL mid-run leaves only whole documents behind."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests import builders


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


def test_kill_9_mid_ingest_leaves_whole_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    # The real embedder makes each document take long enough to be killed in the middle.
    for i in range(40):
        body = "".join(f"文書{i}の第{j}条です。規程の内容を説明します。" for j in range(12))
        builders.text(corpus / f"doc{i:02d}.md", f"# 規程 {i}\n\n{body}")
    index = tmp_path / "crash.sqlite"
    cmd = [sys.executable, "-m", "yomitoki", "ingest", str(corpus), "--index", str(index)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while committed(index) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "ingest finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    survived = check_consistent(index)
    assert 2 <= survived < 40
    # A second run finishes the job and keeps what the first one committed.
    done = subprocess.run(
        [*cmd, "--json"], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f'"unchanged": {survived}' in done.stdout
    assert check_consistent(index) == 40
