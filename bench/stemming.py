"""What the English stemmer costs, in C (PyStemmer) and in pure Python (snowballstemmer alone).

Run: ``.venv/bin/python -m bench.stemming``. snowballstemmer hands its work to PyStemmer, the
same Snowball algorithms compiled, when that is installed (a dependency since 2026-12-07).
Each engine is measured in its own fresh process (the pure one with PyStemmer's import
blocked), one after the other in the same run:

- ``english_words_seconds``: the dictionaries' English words stemmed, which the first English
  question a process reads waits for (``rag.crosslingual.english_words``, spelling);
- ``analyze_seconds``: the keyword terms of every Northwind chunk (``chunk_terms``, as ingest
  makes them; parsing and chunking are done before the clock starts);
- ``terms_digest``: a digest of every term made, which must be the same for both engines (an
  index built with one is searched with the other).

Results: bench/results/stemming.json.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from typing import Any

from bench.common import RESULTS, SHARED, machine, write_result

DOCS = SHARED / "northwind" / "docs"
OUT = RESULTS / "stemming.json"


def measure() -> dict[str, Any]:
    """One engine's figures, in this process (run by ``main`` in a fresh one)."""
    from yomitoki.ingest.chunking import chunk_document
    from yomitoki.ingest.parsers import parse_file
    from yomitoki.ingest.scan import scan
    from yomitoki.rag import crosslingual
    from yomitoki.text import analyzer

    files, _ = scan(DOCS, (), False)
    chunks = [
        c for f in files for c in chunk_document(parse_file(f.path, 100 * 2**20, None), 1000, 150)
    ]
    began = time.perf_counter()
    words = crosslingual.english_words()
    read_at = time.perf_counter()
    terms = [analyzer.chunk_terms(c.location.heading, c.norm_text) for c in chunks]
    done = time.perf_counter()
    digest = hashlib.sha256()
    for each in terms:
        digest.update(" ".join(each).encode())
    digest.update(" ".join(sorted(words)).encode())
    return {
        "stemmer": type(analyzer._stemmer()).__module__,
        "english_words_seconds": round(read_at - began, 3),
        "analyze_seconds": round(done - read_at, 3),
        "chunks": len(chunks),
        "terms_digest": digest.hexdigest(),
    }


def main() -> int:
    if not DOCS.exists():
        print(f"skipped: {DOCS} is not here")
        return 0
    runs = {}
    for engine, prelude in (("c", ""), ("pure_python", "sys.modules['Stemmer'] = None; ")):
        code = f"import sys, json; {prelude}from bench.stemming import measure; "
        code += "print(json.dumps(measure()))"
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        runs[engine] = json.loads(out.stdout.decode().strip().splitlines()[-1])
        print(engine, runs[engine], flush=True)
    if runs["c"]["terms_digest"] != runs["pure_python"]["terms_digest"]:
        print("the two engines made different terms", file=sys.stderr)
        return 1
    report = {
        "machine": machine(),
        "runs": runs,
        "english_words_ratio": round(
            runs["pure_python"]["english_words_seconds"] / runs["c"]["english_words_seconds"], 2
        ),
        "analyze_ratio": round(
            runs["pure_python"]["analyze_seconds"] / runs["c"]["analyze_seconds"], 2
        ),
        "command": "python -m bench.stemming",
    }
    write_result(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
