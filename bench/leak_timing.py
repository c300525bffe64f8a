"""What bob can still learn from the clock: a word only hidden documents hold vs a word no
document holds, searched and asked as a reader who may not see them.

Run: ``.venv/bin/python -m bench.leak_timing``. The statistics bob's scores are computed
from are his own (tests/test_access.py proves his output identical); what remains is time.
A query term that some hidden chunk holds has a column in the term matrix, so the keyword
leg touches that column's rows; a term no chunk holds has none. Rounds alternate the two
words, on one index, and report medians, spreads and their difference.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, machine, write_result
from yomitoki import assemble
from yomitoki.index.engine import Filters
from yomitoki.ingest.pipeline import Ingester
from yomitoki.settings import load_settings
from yomitoki.types import Mode

ROUNDS = 3000
HIDDEN_CHUNKS = 2000


def corpus(root: Path) -> None:
    """200 public memos, and hr documents whose 2,000 chunks all hold the hidden word."""
    (root / "public").mkdir(parents=True)
    (root / "hr").mkdir()
    for n in range(200):
        (root / "public" / f"memo-{n}.md").write_text(
            f"# Memo {n}\n\nSalary review and holiday planning, memo {n}, for all staff.\n"
        )
    for n in range(HIDDEN_CHUNKS // 20):
        sections = "\n\n".join(
            f"## Band {n}-{k}\n\nThe quokkafruit salary band {k} is 9876543 yen." for k in range(20)
        )
        (root / "hr" / f"salaries-{n}.md").write_text(f"# Salaries {n}\n\n{sections}\n")


def timed(run: object, words: tuple[str, str]) -> dict[str, list[float]]:
    """Milliseconds per call, the two words alternating."""
    out: dict[str, list[float]] = {w: [] for w in words}
    for i in range(ROUNDS):
        word = words[i % 2]
        began = time.perf_counter()
        run(word)  # type: ignore[operator]
        out[word].append((time.perf_counter() - began) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 4),
        "p10_ms": round(ordered[len(ordered) // 10], 4),
        "p90_ms": round(ordered[9 * len(ordered) // 10], 4),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "docs"
        corpus(root)
        settings = load_settings(
            index=Path(folder) / "index.sqlite",
            embedder="hash",
            permissions=[{"path": "hr/**", "groups": ["hr"]}],
            chunk_size=120,
            chunk_overlap=0,
        )
        with assemble.open_engine(settings) as engine:
            embedder = assemble.embedder_for(engine, settings)
            Ingester(engine, embedder, assemble.ingest_options(settings)).run(root)
            chunks = engine.stats().chunks
        bob = Filters(readers=frozenset({"*", "user:bob"}))
        answerer = assemble.open_answerer(settings, filters=bob)
        retriever = answerer.retriever
        words = ("quokkafruit", "zorblefruit")
        legs = {
            "keyword search": lambda w: retriever.search(
                f"salary review {w}", Mode.KEYWORD, 5, bob
            ),
            "hybrid search": lambda w: retriever.search(f"salary review {w}", Mode.HYBRID, 5, bob),
            "offline answer": lambda w: answerer.ask(f"salary review {w}"),
        }
        for run in legs.values():  # warm: the legs load, the masks are made
            run(words[0])
            run(words[1])
        results = {}
        for label, run in legs.items():
            samples = timed(run, words)
            hidden, nowhere = (summary(samples[w]) for w in words)
            results[label] = {
                "hidden word": hidden,
                "unknown word": nowhere,
                "median difference_ms": round(hidden["median_ms"] - nowhere["median_ms"], 4),
            }
        retriever.close()
    result = {
        "machine": machine(),
        "command": ".venv/bin/python -m bench.leak_timing",
        "dataset": f"synthetic: 200 public memos, {HIDDEN_CHUNKS} hidden hr chunks holding the "
        f"word ({chunks} chunks), SQLite, hash embedder; {ROUNDS} alternating rounds",
        "results": results,
    }
    write_result(RESULTS / "leak_timing.json", result)
    print(result)


if __name__ == "__main__":
    main()
