"""Offline follow-ups: a short second question after a first one, answered from its own page.

Run: ``.venv/bin/python -m bench.eval_followups``. Each conversation of
bench/data/followups.jsonl (written here, Japanese and English over the model employment rules)
asks its first question, then the follow-up with the first turn's answer as the history, as
the chat does. A follow-up is answered when its answer cites the page it names and states
its reference words. Results: bench/results/followups_offline.json.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.common import RESULTS, machine, ready_index, shown, write_result
from bench.question_sets import FOLLOWUPS, RULES
from yomitoki import open_index
from yomitoki.evals.metrics import citations_matched, contains_answer
from yomitoki.text import citations
from yomitoki.types import Message

OUT = RESULTS / "followups_offline.json"


def main() -> int:
    if (index := ready_index("model_rules_ja", RULES)) is None:
        return 0
    rows: list[dict[str, Any]] = []
    with open_index(index) as opened:
        for line in FOLLOWUPS.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            history: list[Message] = []
            for earlier in item["history"]:
                _, said = opened.answerer.ask(earlier, history)
                history += [Message("user", earlier), Message("assistant", said.text)]
            context, answer = opened.answerer.ask(item["question"], history)
            cited = citations_matched(item["relevant"], answer.citations) > 0
            stated = contains_answer(citations.strip(answer.text), item["answers"])
            rows.append(
                {
                    **item,
                    "query": context.query,
                    "answer": answer.text,
                    "cites_its_page": cited,
                    "states": stated,
                }
            )
    languages = {"ja": [r for r in rows if not r["question"].isascii()],
                 "en": [r for r in rows if r["question"].isascii()]}  # fmt: skip
    figures = {
        lang: {
            "conversations": len(part),
            "cites_its_page": sum(r["cites_its_page"] for r in part),
            "cites_and_states": sum(r["cites_its_page"] and r["states"] for r in part),
        }
        for lang, part in languages.items()
    }
    report = {"machine": machine(), "command": "python -m bench.eval_followups",
              "set": shown(FOLLOWUPS), "figures": figures, "conversations": rows}  # fmt: skip
    write_result(OUT, report)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
