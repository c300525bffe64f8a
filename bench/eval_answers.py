"""Answer quality of the offline answerer on every labelled set, unanswerable questions mixed in.

Run: ``.venv/bin/python -m bench.eval_answers [SET ...]`` (every set unless named). For each
set of ``bench.question_sets`` (which names its documents, its files and whose hands wrote it),
builds (or reuses) its index under .yomitoki/ and runs ``yomitoki eval answers --offline`` on
all its questions with the shipped answerability model. citations_matched is
azure-search-openai-demo's metric; where a set has reference answers, answer_found (an answer
states one), answer_found_and_cited (states one and cites a page it is on), answer_leads
(states it before its first citation) and answer_in_passages (the passages given to the
answerer held one: the ceiling).

The refusal rates here are in sample for every set the shipped model was fitted on (all of
them); the figures to judge it by are ``bench.calibrate``'s, each set held out whole.
Results, every answer included: bench/results/answers_<set>_offline.json.
"""

from __future__ import annotations

import json
import sys

from bench.common import RESULTS, ready_index, shown, write_result, yomitoki
from bench.question_sets import SETS


def main() -> int:
    named = set(sys.argv[1:])
    for each in SETS:
        if named and each.name not in named:
            continue
        if (index := ready_index(each.name, each.docs)) is None or not each.files[0].exists():
            continue
        out = RESULTS / f"answers_{each.name}_offline.json"
        table = yomitoki("eval", "answers", *map(str, each.files), "--index", str(index),
                         "--offline", "--json", str(out))  # fmt: skip
        print(f"== {each.name}\n{table}", flush=True)
        report = json.loads(out.read_text())
        report["command"] = f"yomitoki eval answers {' '.join(map(shown, each.files))} --offline"
        report["hands"], report["languages"] = each.hands, each.languages
        write_result(out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
