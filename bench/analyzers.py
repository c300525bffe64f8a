"""Which Japanese analyzer for the keyword leg: measured on JSQuAD, speed on a long PDF.

Run: ``.venv/bin/pip install -e '.[bench]' && .venv/bin/python -m bench.analyzers``.

Every analyzer feeds the same BM25 (``yomitoki.index.sqlite.keyword.KeywordIndex``) over
JSQuAD's 1,145 paragraphs; the 500 questions are scored by hit@1/3/5/10 and MRR of the
keyword leg alone.
Morphological analyzers drop the same parts of speech (particles, auxiliary verbs, symbols,
white space) and, like the shipped analyzer, add adjacent pairs of content terms. Speed is the
analysis of the Japanese government PDF's text (93 pages, from the bench index made by
bench.eval_answers), characters per second, on one core. Results:
bench/results/analyzers.json.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
import unicodedata
from collections.abc import Callable

import numpy as np

from bench.common import RESULTS, ROOT, SETS, machine, write_result
from yomitoki.evals.metrics import first_relevant_rank, summarize
from yomitoki.evals.retrieval import load_questions
from yomitoki.index.sqlite.keyword import KeywordIndex
from yomitoki.text.analyzer import STOP_WORDS, analyze

Analyzer = Callable[[str], list[str]]
DROPPED = frozenset({"助詞", "助動詞", "補助記号", "空白"})


def with_pairs(terms: list[str]) -> list[str]:
    content = [t for t in terms if t not in STOP_WORDS]
    return terms + [f"{a}_{b}" for a, b in itertools.pairwise(content) if a != b]


def sudachi(mode: str, form: str) -> Analyzer:
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").tokenizer(getattr(SplitMode, mode))

    def run(text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        out = []
        for start in range(0, len(text), 12_000):
            for m in tokenizer.tokenize(text[start : start + 12_000]):
                if m.part_of_speech()[0] in DROPPED:
                    continue
                word = (m.normalized_form() if form == "normalized" else m.surface()).strip()
                if word:
                    out.append(word)
        return with_pairs(out)

    return run


def fugashi(form: str) -> Analyzer:
    import fugashi as mecab

    tagger = mecab.Tagger()

    def run(text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        out = []
        for word in tagger(text):
            if word.feature.pos1 in DROPPED:
                continue
            if form == "lemma" and word.feature.lemma:
                term = word.feature.lemma.split("-")[0]
            elif form == "base" and word.feature.orthBase:
                term = word.feature.orthBase
            else:
                term = word.surface
            if term.strip():
                out.append(term)
        return with_pairs(out)

    return run


def char_bigrams(text: str) -> list[str]:
    text = "".join(unicodedata.normalize("NFKC", text).lower().split())
    return [text[i : i + 2] for i in range(len(text) - 1)]


def shipped(text: str) -> list[str]:
    return with_pairs(analyze(text))


def evaluate(analyzer: Analyzer, docs: dict[str, str], questions: list) -> dict[str, float]:
    names = list(docs)
    vocabulary: dict[str, int] = {}
    indptr, terms = [0], []
    for name in names:
        terms += [vocabulary.setdefault(t, len(vocabulary)) for t in analyzer(docs[name])]
        indptr.append(len(terms))
    index = KeywordIndex.of_terms(
        np.arange(len(names), dtype=np.int64),
        vocabulary,
        np.array(indptr, dtype=np.int64),
        np.array(terms, dtype=np.int32),
    )
    ranks = []
    for q in questions:
        columns = sorted({vocabulary[t] for t in analyzer(q.question) if t in vocabulary})
        weighed = index.weigh(columns, index.everything)
        scores = weighed if weighed is not None else np.zeros(len(names))
        top = np.argsort(-scores, kind="stable")[:10]
        hits = [[names[i]] for i in top if scores[i] > 0]
        ranks.append(first_relevant_rank(q.relevant, hits))
    summary = summarize(ranks)
    return {
        **{f"hit@{k}": round(v, 4) for k, v in summary.hit_at.items()},
        "mrr": round(summary.mrr, 4),
        "vocabulary": len(vocabulary),
    }


def speed(analyzer: Analyzer, text: str) -> float:
    began = time.perf_counter()
    analyzer(text)
    return len(text) / (time.perf_counter() - began)


def main() -> int:
    folder, questions_path = SETS["jsquad"]
    if not folder.exists():
        print(f"skipped: {folder} not found")
        return 0
    docs = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    questions = load_questions(questions_path)
    pdf_index = ROOT / ".yomitoki" / "bench-ja.sqlite"
    pdf_text = ""
    if pdf_index.exists():
        rows = sqlite3.connect(pdf_index).execute("SELECT text FROM chunks ORDER BY id")
        pdf_text = "\n".join(r[0] for r in rows)
    analyzers: dict[str, Analyzer] = {
        "shipped: sudachi A normalized + snowball": shipped,
        "sudachi A surface": sudachi("A", "surface"),
        "sudachi C normalized": sudachi("C", "normalized"),
        "fugashi unidic-lite surface": fugashi("surface"),
        "fugashi unidic-lite base form": fugashi("base"),
        "fugashi unidic-lite lemma": fugashi("lemma"),
        "character bigrams (reference)": char_bigrams,
    }
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    table = {}
    for label, analyzer in analyzers.items():
        row = evaluate(analyzer, docs, questions)
        if pdf_text:
            analyzer(pdf_text[:1000])  # warm up: dictionaries load on first use
            row["pdf_chars_per_second"] = round(speed(analyzer, pdf_text))
        table[label] = row
        print(f"{label:42s} {json.dumps(row, ensure_ascii=False)}", flush=True)
    results["jsquad_keyword_leg"] = table
    write_result(RESULTS / "analyzers.json", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
