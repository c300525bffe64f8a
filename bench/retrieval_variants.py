"""What else the first stage could do with the two legs it has, measured side by side.

Run: ``.venv/bin/python -m bench.retrieval_variants`` after ``bench.eval_retrieval`` has
built the indexes. Each question's keyword and vector legs (top 200 each, real query embedding) are
computed once; every variant then re-ranks the same candidates, so the variants differ only in
how the legs are combined. Per set, the hit@k and MRR of every variant go to
bench/results/retrieval_variants.json. One question of Northwind's 50 moves a figure by 0.02.

Variants:
- ``weighted vw=…``: min-max weighted fusion of each leg's top 50, a candidate missing from
  one leg getting nothing from it (what yomitoki shipped before this benchmark);
- ``weighted complete vw=…``: the same, but each leg scores every candidate of both legs, so a
  chunk just outside one leg's top 50 keeps its real score there;
- ``shipped``: the real ``Searcher`` with the default settings, i.e. what ``yomitoki search``
  does (complete scores at vw=0.6, the keyword leg's weight scaled by the share of the query
  it can read);
- ``rrf k=… vw=…``: reciprocal rank fusion;
- ``interleave``: the legs' best hits alternately, then the weighted order;
- ``collapse``: a hit whose pages a better hit already covers is moved behind the others;
- ``neighbours β=…``: a chunk gains β times the best score of its neighbouring chunks;
- ``page sum λ=…``: a chunk is ranked by its page's best score plus λ times the rest;
- ``rocchio α=…``: the query vector moved toward the mean of the top 5 fused chunks, the
  vector leg searched again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import RESULTS, SETS, index_of, machine, write_result
from yomitoki import assemble
from yomitoki.evals.metrics import first_relevant_rank, summarize
from yomitoki.evals.retrieval import Question, load_questions
from yomitoki.index.engine import Filters
from yomitoki.index.fusion import reciprocal_rank_fusion, weighted_score_fusion
from yomitoki.index.search import Searcher
from yomitoki.settings import Settings
from yomitoki.types import Mode

Ranked = list[tuple[int, float]]
DEPTH = 50
POOL = 200


@dataclass(frozen=True, slots=True)
class Chunk:
    document: str
    ordinal: int
    locations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    question: Question
    keyword: Ranked
    vector: Ranked
    query: np.ndarray
    #: Each leg's exact score of every chunk in either leg's top 50.
    complete: dict[str, dict[int, float]]
    #: What ``yomitoki search`` returns for the question: the real Searcher's ranking.
    shipped: Ranked


def chunks(index: Path) -> dict[int, Chunk]:
    con = sqlite3.connect(index)
    out = {}
    for cid, name, page, page_end, ordinal in con.execute(
        "SELECT c.id, d.name, c.page, c.page_end, c.ordinal FROM chunks c "
        "JOIN documents d ON d.id = c.document_id"
    ):
        pages = range(page, (page_end or page) + 1) if page is not None else ()
        locations = tuple(f"{name}#page={p}" for p in pages) or (name,)
        out[cid] = Chunk(name, ordinal, locations)
    return out


def weighted(keyword: Ranked, vector: Ranked, vw: float) -> Ranked:
    return weighted_score_fusion(
        {"keyword": keyword[:DEPTH], "vector": vector[:DEPTH]}, {"vector": vw, "keyword": 1 - vw}
    )


def complete(case: Case, vw: float) -> Ranked:
    legs = {
        leg: sorted(scores.items(), key=lambda p: -p[1]) for leg, scores in case.complete.items()
    }
    return weighted_score_fusion(legs, {"vector": vw, "keyword": 1 - vw})


def variants(info: dict[int, Chunk], matrix: np.ndarray, ids: np.ndarray) -> dict[str, Callable]:
    by_ordinal = {(c.document, c.ordinal): cid for cid, c in info.items()}

    def collapse(case: Case) -> Ranked:
        seen: set[str] = set()
        first, later = [], []
        for cid, score in weighted(case.keyword, case.vector, 0.6):
            places = set(info[cid].locations)
            (later if places <= seen else first).append((cid, score))
            seen |= places
        return first + later

    def neighbours(beta: float) -> Callable[[Case], Ranked]:
        def run(case: Case) -> Ranked:
            fused = weighted(case.keyword, case.vector, 0.6)
            score = dict(fused)
            out = []
            for cid, s in fused:
                c = info[cid]
                near = [by_ordinal.get((c.document, c.ordinal + d)) for d in (-1, 1)]
                out.append((cid, s + beta * max(score.get(n, 0.0) for n in near)))
            return sorted(out, key=lambda p: -p[1])

        return run

    def page_sum(lam: float) -> Callable[[Case], Ranked]:
        def run(case: Case) -> Ranked:
            fused = weighted(case.keyword, case.vector, 0.6)
            pages: dict[str, list[float]] = {}
            for cid, s in fused:
                for place in info[cid].locations:
                    pages.setdefault(place, []).append(s)
            total = {p: max(v) + lam * (sum(v) - max(v)) for p, v in pages.items()}
            out = [(cid, max(total[p] for p in info[cid].locations) + 1e-3 * s) for cid, s in fused]
            return sorted(out, key=lambda p: -p[1])

        return run

    def interleave(case: Case) -> Ranked:
        head: list[int] = []
        for pair in zip(case.keyword, case.vector, strict=False):
            head += [cid for cid, _ in pair if cid not in head]
            if len(head) >= 4:
                break
        rest = [(c, s) for c, s in weighted(case.keyword, case.vector, 0.6) if c not in head]
        return [(c, 1.0) for c in head] + rest

    def rocchio(alpha: float) -> Callable[[Case], Ranked]:
        def run(case: Case) -> Ranked:
            top = [cid for cid, _ in weighted(case.keyword, case.vector, 0.6)[:5]]
            rows = np.searchsorted(ids, top)
            moved = case.query + alpha * matrix[rows].mean(axis=0)
            sims = matrix @ (moved / np.linalg.norm(moved))
            order = np.argsort(-sims)[:DEPTH]
            return weighted(case.keyword, [(int(ids[i]), float(sims[i])) for i in order], 0.6)

        return run

    table: dict[str, Callable[[Case], Ranked]] = {}
    for vw in (0.4, 0.5, 0.6, 0.7):
        table[f"weighted vw={vw}"] = lambda c, vw=vw: weighted(c.keyword, c.vector, vw)
    for vw in (0.5, 0.6):
        table[f"weighted complete vw={vw}"] = lambda c, vw=vw: complete(c, vw)
    table["shipped"] = lambda c: c.shipped
    for k in (1, 5, 20, 60):
        for vw in (0.4, 0.5, 0.6):
            table[f"rrf k={k} vw={vw}"] = lambda c, k=k, vw=vw: reciprocal_rank_fusion(
                {"keyword": [i for i, _ in c.keyword[:DEPTH]],
                 "vector": [i for i, _ in c.vector[:DEPTH]]},
                k, {"vector": vw, "keyword": 1 - vw},
            )  # fmt: skip
    table["interleave"] = interleave
    table["collapse"] = collapse
    for beta in (0.1, 0.2, 0.4):
        table[f"neighbours β={beta}"] = neighbours(beta)
    for lam in (0.1, 0.3):
        table[f"page sum λ={lam}"] = page_sum(lam)
    for alpha in (0.3, 0.6, 1.0):
        table[f"rocchio α={alpha}"] = rocchio(alpha)
    return table


def main() -> int:
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    for name, (_, questions_path) in SETS.items():
        index = index_of(name)
        if not index.exists() or not questions_path.exists():
            print(f"skipped {name}: run python -m bench.eval_retrieval first (needs ../shared)")
            continue
        settings = Settings(index=index)
        store = assemble.open_engine(settings, create=False)
        searcher = Searcher(
            store, assemble.embedder_for(store, settings), assemble.search_options(settings)
        )
        vectors = store.vectors
        matrix, ids = vectors.matrix.astype(np.float32), vectors.ids
        cases = []
        for q in load_questions(questions_path):
            query = searcher.embedder.embed_query(q.question)
            keyword = store.keyword_search(q.question, POOL, Filters())
            vector = vectors.search(query, POOL)
            pool = list(dict.fromkeys(c for c, _ in keyword[:DEPTH] + vector[:DEPTH]))
            exact = {
                "keyword": dict(
                    zip(pool, store.keyword_scores(q.question, pool, Filters()), strict=True)
                ),
                "vector": dict(zip(pool, vectors.score(query, pool), strict=True)),
            }
            found = searcher.search(q.question, Mode.HYBRID, DEPTH)
            shipped = [(h.chunk_id, h.score) for h in found]
            cases.append(Case(q, keyword, vector, query, exact, shipped))
        info = chunks(index)
        rows = {}
        for label, run in variants(info, matrix, ids).items():
            ranks = [
                first_relevant_rank(
                    c.question.relevant, [info[i].locations for i, _ in run(c)[:10]]
                )
                for c in cases
            ]
            summary = summarize(ranks)
            rows[label] = {
                **{f"hit@{k}": round(v, 4) for k, v in summary.hit_at.items()},
                "mrr": round(summary.mrr, 4),
            }
            figures = " ".join(f"{v:.3f}" for v in rows[label].values())
            print(f"{name:10s} {label:24s} {figures}", flush=True)
        results[name] = {"questions": len(cases), "variants": rows}
    write_result(RESULTS / "retrieval_variants.json", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
