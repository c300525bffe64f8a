"""Answer quality of the offline answerer, with unanswerable questions mixed in.

Run: ``.venv/bin/python -m bench.eval_answers``. For each shared set, builds (or reuses) its
index under .yomitoki/ and runs ``yomitoki eval answers --offline`` on its questions plus a set
of questions its documents cannot answer, written for this benchmark:

- Northwind: the 50 ground-truth questions, bench/data/northwind_more.jsonl (30 more
  answerable ones, each citing the page that answers it, and 25 unanswerable) and
  bench/data/northwind_unanswerable.jsonl (20); citations_matched is
  azure-search-openai-demo's metric.
- JSQuAD: the 500 questions and bench/data/jsquad_unanswerable.jsonl (20 Japanese questions on
  subjects none of the 1,145 paragraphs mention, each checked by searching the paragraphs for
  its key words); the reference answer spans also give answer_found (an answer states one)
  and answer_in_passages (the passages the answerer was given held one).
- Northwind in Japanese: bench/data/northwind_ja.jsonl, the 50 ground-truth questions
  translated into Japanese for this benchmark (same citations), plus
  bench/data/northwind_unanswerable_ja.jsonl, 18 English unanswerable ones translated and 12
  of northwind_more's: Japanese questions over English documents.
- Model rules (Japanese): bench/data/model_rules_ja.jsonl, 18 questions written for this
  benchmark on the 93-page government PDF, each with the page that states the answer and the
  answer's words (found in the PDF's text before the question was written; in-sample), and
  bench/data/model_rules_unanswerable_ja.jsonl: 20 HR questions the rules do not answer
  (社員旅行, 初任給, 在宅勤務の日数...), each checked by searching the PDF's text.
- HR questions (Japanese): bench/data/hr_ja.jsonl, 10 short questions as a new employee
  would type them on the same PDF (the issue's 「年次有給休暇は何日付与される？」, 「休憩時間は？」
  among them), each with its page and answer words, and 3 it cannot answer (「会社の株価は
  いくらですか？」). Written after seeing the answers' failures: in-sample too.

Results, every answer included: bench/results/answers_<set>_offline.json.
"""

from __future__ import annotations

import json

from bench.common import HERE, RESULTS, SETS, SHARED, ready_index, shown, write_result, yomitoki

#: The questions the documents of each set cannot answer, asked along with its own.
UNANSWERABLE = {
    "northwind": [
        HERE / "data" / "northwind_more.jsonl",
        HERE / "data" / "northwind_unanswerable.jsonl",
    ],
    "jsquad": [HERE / "data" / "jsquad_unanswerable.jsonl"],
    "northwind_ja": [HERE / "data" / "northwind_unanswerable_ja.jsonl"],
    "model_rules_ja": [HERE / "data" / "model_rules_unanswerable_ja.jsonl"],
}
ANSWER_SETS = {
    **SETS,
    "model_rules_ja": (SHARED / "japanese-docs", HERE / "data" / "model_rules_ja.jsonl"),
    "hr_ja": (SHARED / "japanese-docs", HERE / "data" / "hr_ja.jsonl"),
}


def main() -> int:
    for name, (docs, questions) in ANSWER_SETS.items():
        if (index := ready_index(name, docs)) is None:
            continue
        out = RESULTS / f"answers_{name}_offline.json"
        sets = [questions, *UNANSWERABLE.get(name, [])]
        table = yomitoki("eval", "answers", *map(str, sets), "--index", str(index),
                         "--offline", "--json", str(out))  # fmt: skip
        print(f"== {name}\n{table}", flush=True)
        report = json.loads(out.read_text())
        report["command"] = f"yomitoki eval answers {' '.join(map(shown, sets))} --offline"
        write_result(out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
