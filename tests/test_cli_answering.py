"""``yomitoki ask``, ``chat`` and ``eval answers`` on a real index, offline and over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.llm_server import ChatServer, Reply, running
from tests.options import WORDS
from yomitoki.cli import main
from yomitoki.rag import answerability

# The hash embedder's cosines mean nothing: answer whenever a sentence is found.
ENV = {"YOMITOKI_MIN_ANSWERABILITY": "0"}


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running() as started:
        yield started


def words(folder: Path) -> dict[str, str]:
    """The environment that decides answerability by words alone (a calibration file)."""
    calibrated = folder / "words.json"
    calibrated.write_text(WORDS.to_json())
    return {"YOMITOKI_ANSWERABILITY": str(calibrated)}


def invoke(
    *args: str | Path, input: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env or ENV, input=input)
    return result.exit_code, result.stdout, result.stderr


def test_ask_offline_answers_with_citations_and_sources(indexed: Path) -> None:
    code, out, err = invoke("ask", "What is the nightly hotel limit?", "--index", indexed)
    assert code == 0, err
    assert out.startswith("Travel Policy: The nightly hotel limit is 150 dollars [policy.docx].")
    assert "\nSources:\n  [policy.docx]  (Travel Policy > Hotels)" in out


def test_ask_json_carries_the_thought_process(indexed: Path) -> None:
    code, out, _ = invoke("ask", "年次有給休暇は何日ですか", "--index", indexed, "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["context"]["query"] == "年次有給休暇は何日ですか"
    assert payload["context"]["hits"][0]["citation"] == "notes.md"
    assert payload["answer"]["language"] == "ja"
    assert payload["answer"]["citations"] == ["notes.md"]
    assert payload["answer"]["text"].startswith("年次有給休暇は20日です[notes.md]。")


def test_ask_streams_from_an_openai_compatible_url(indexed: Path, server: ChatServer) -> None:
    server.enqueue(Reply(["The limit is ", "150 dollars [policy.", "docx][made-up.pdf#page=2]."]))
    code, out, err = invoke(
        "ask", "Hotel limit?", "--index", indexed, "--llm-url", f"{server.url}/v1",
        "--llm-model", "qwen2.5", "--thoughts",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("The limit is 150 dollars [policy.docx].\n")
    assert "removed citation to a source not given: [made-up.pdf#page=2]" in err
    assert '"role": "system"' in err  # the prompt, shown with --thoughts
    assert server.requests[0].body["model"] == "qwen2.5"


def test_ask_reports_llm_errors_without_a_traceback(indexed: Path, server: ChatServer) -> None:
    server.default = Reply(status=401)
    code, _, err = invoke("ask", "Hotel limit?", "--index", indexed, "--llm-url",
                          f"{server.url}/v1")  # fmt: skip
    assert code == 1
    assert "refused the key (401)" in err and "Traceback" not in err


def test_ask_empty_question_is_an_error(indexed: Path) -> None:
    code, _, err = invoke("ask", "  ", "--index", indexed)
    assert code == 1 and "the question is empty" in err


def test_chat_keeps_the_conversation(indexed: Path, server: ChatServer) -> None:
    server.enqueue(
        Reply(["Trains are booked in advance [policy.docx]."]),
        Reply(["hotel nightly limit"]),  # the rewrite of the follow-up
        Reply(["150 dollars [policy.docx]."]),
    )
    code, out, err = invoke(
        "chat", "--index", indexed, "--llm-url", f"{server.url}/v1",
        input="How are trains booked?\n\nWhat about hotels?\n/quit\n",
    )  # fmt: skip
    assert code == 0, err
    assert "Trains are booked in advance [policy.docx]." in out
    assert "150 dollars [policy.docx]." in out
    assert len(server.requests) == 3
    final = server.requests[2].body["messages"]
    assert [m["role"] for m in final] == ["system", "user", "assistant", "user"]
    assert final[-1]["content"] == "What about hotels?"


def test_chat_reset_forgets_the_conversation(indexed: Path) -> None:
    code, out, _ = invoke(
        "chat", "--index", indexed, input="How long is the warranty?\n/reset\nWhat about it?\n"
    )
    assert code == 0
    assert out.count("Sources:") + out.count("I don't know") == 2


def test_eval_answers_scores_citations_and_refusals(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "What is the nightly hotel limit?", "truth": "150 [policy.docx]"}\n'
        '{"question": "保証期間は何年ですか", "truth": "二年 [manual.pdf#page=3]"}\n'
        '{"question": "Which airline flies the company jet to Mars?", "relevant": []}\n',
        encoding="utf-8",
    )
    results = tmp_path / "out" / "answers.json"
    code, out, err = invoke(
        "eval", "answers", questions, "--index", indexed, "--json", results, env=words(tmp_path)
    )
    assert code == 0, err
    assert out.startswith("3 questions, answerer offline")
    report = json.loads(results.read_text())
    summary = report["summary"]
    assert summary["answerable"] == 2 and summary["unanswerable"] == 1
    assert summary["citations_matched"] == 1.0 and summary["any_citation"] == 1.0
    assert summary["dont_know_rate"] == 1.0
    assert report["per_question"][1]["citations"][0] == "manual.pdf#page=3"
    assert "answer_found" not in summary  # no question has reference answers


def test_eval_answers_finds_reference_answers_in_the_answer(indexed: Path, tmp_path: Path) -> None:
    """JSQuAD-style sets carry answer spans: is one of them in the answer, in the passages?"""
    questions = tmp_path / "spans.jsonl"
    questions.write_text(
        '{"question": "保証期間は何年ですか", "relevant": ["manual.pdf"], '
        '"answers": ["２年間", "二年間"]}\n'
        '{"question": "What is the nightly hotel limit?", "relevant": ["policy.docx"], '
        '"answers": ["175 dollars"]}\n',
        encoding="utf-8",
    )
    results = tmp_path / "spans.json"
    code, _, err = invoke("eval", "answers", questions, "--index", indexed, "--json", results)
    assert code == 0, err
    report = json.loads(results.read_text())
    assert [q["answer_found"] for q in report["per_question"]] == [True, False]
    summary = report["summary"]
    assert summary["answer_found"] == 0.5 and summary["answer_in_passages"] == 0.5
    # It states it before its first citation, and cites the page that holds it.
    first = report["per_question"][0]
    assert first["answer_leads"] is True
    assert first["answer"].index("二年間") < first["answer"].index("[")
    assert summary["answer_leads"] == 0.5 and summary["answer_found_and_cited"] == 0.5


def test_an_answer_leads_with_the_fact_only_when_it_comes_before_the_first_citation() -> None:
    from yomitoki.evals.answers import _before_first_citation

    assert _before_first_citation("２年間です[a.pdf#page=3]。詳しくは[b.pdf]") == "２年間です"
    assert _before_first_citation("See [sic] the manual [a.pdf].") == "See [sic] the manual"
    assert _before_first_citation("No citation at all.") == "No citation at all."


def test_eval_answers_judge_needs_an_llm(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Hotel limit?", "truth": "[policy.docx]"}\n')
    code, _, err = invoke("eval", "answers", questions, "--index", indexed, "--judge")
    assert code == 1 and "--judge needs an LLM" in err


def test_eval_answers_with_an_llm_judge(indexed: Path, tmp_path: Path, server: ChatServer) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Hotel limit?", "truth": "[policy.docx]"}\n')
    server.enqueue(Reply(["150 dollars [policy.docx]."]),
                   Reply(['{"groundedness": 5, "relevance": 4}']))  # fmt: skip
    results = tmp_path / "answers.json"
    code, _, err = invoke("eval", "answers", questions, "--index", indexed, "--llm-url",
                          f"{server.url}/v1", "--judge", "--json", results)  # fmt: skip
    assert code == 0, err
    summary = json.loads(results.read_text())["summary"]
    assert summary["judge_groundedness_mean"] == 5 and summary["judge_relevance_mean"] == 4


def test_eval_answers_compare_sets_prompting_alone_beside_grounding(
    indexed: Path, tmp_path: Path, server: ChatServer
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "What is the nightly hotel limit?", "relevant": ["policy.docx"], '
        '"answers": ["150 dollars"]}\n'
        '{"question": "Which airline flies the company jet to Mars?", "relevant": []}\n',
        encoding="utf-8",
    )
    # The LLM alone guesses; with retrieval it reads the limit from the policy it is given.
    server.enqueue(
        Reply(["Usually about 200 dollars a night."]),
        Reply(["I don't know."]),
        Reply(["The limit is 150 dollars a night [policy.docx]."]),
        Reply(["I don't know."]),
    )
    results = tmp_path / "compare.json"
    code, out, err = invoke("eval", "answers", questions, "--index", indexed, "--llm-url",
                            f"{server.url}/v1", "--compare", "--json", results,
                            env=words(tmp_path))  # fmt: skip
    assert code == 0, err
    header = out.splitlines()[1].split()
    assert header == ["llm_alone", "retrieval_llm", "offline"]
    report = json.loads(results.read_text())
    alone, grounded, offline = (report[k] for k in ("llm_alone", "retrieval_llm", "offline"))
    assert alone["summary"]["answer_found"] == 0.0 and alone["summary"]["citations_matched"] == 0
    assert grounded["summary"]["answer_found"] == 1.0
    assert grounded["summary"]["citations_matched"] == 1.0
    assert offline["answerer"] == "offline" and offline["summary"]["citations_matched"] == 1.0
    assert all(r["summary"]["dont_know_rate"] == 1.0 for r in report.values())
    # The LLM alone is asked with no source at all.
    first = server.requests[0].body["messages"]
    assert [m["role"] for m in first] == ["system", "user"]
    assert "<source" not in first[0]["content"] and "no documents" in first[0]["content"]


def test_eval_answers_compare_needs_an_llm(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Hotel limit?", "truth": "[policy.docx]"}\n')
    code, _, err = invoke("eval", "answers", questions, "--index", indexed, "--compare")
    assert code == 1 and "--compare needs an LLM" in err


ANSWERABLE = [
    ("What does the warranty cover?", "manual.pdf#page=1"),
    ("When are returns accepted?", "manual.pdf#page=2"),
    ("What is the nightly hotel limit?", "policy.docx"),
    ("How much is the budget?", "deck.pptx"),
    ("When is support open?", "page.html"),
    ("保証期間は何年ですか", "manual.pdf#page=3"),
    ("年次有給休暇は何日ですか", "notes.md"),
]
UNANSWERABLE = [
    "Which airline flies the company jet to Mars?",
    "What colour is the CEO's bicycle?",
    "How many penguins live in the office fridge?",
    "社員食堂の金曜日のメニューは？",
    "駐車場の料金はいくらですか？",
    "Who won the chess tournament in 1972?",
]


def test_eval_calibrate_fits_on_your_questions_and_the_answers_use_it(
    indexed: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "mine.jsonl"
    lines = [{"question": q, "relevant": [c]} for q, c in ANSWERABLE]
    lines += [{"question": q, "relevant": []} for q in UNANSWERABLE]
    questions.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    fitted = tmp_path / "calibrated" / "mine.json"
    code, out, err = invoke(
        "eval", "calibrate", questions, "--index", indexed, "--out", fitted,
        "--folds", "3", "--repeats", "2",
    )  # fmt: skip
    assert code == 0, err
    assert "13 questions" in out and "refusals out of fold" in out
    mine = next(line for line in out.splitlines() if line.strip().startswith("mine "))
    assert "answerable_refused" in mine and "of 7" in mine and "of 6" in mine
    model = answerability.load(fitted)
    data = json.loads(fitted.read_text())
    assert data["out_of_fold"]["mine"]["answerable_refused"]["of"] == 7
    assert f'answerability = "{fitted}"' in out
    # The answerer reads the file it was pointed at.
    code, out, err = invoke("ask", "What is the nightly hotel limit?", "--index", indexed,
                            "--json", env={"YOMITOKI_ANSWERABILITY": str(fitted)})  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["answer"]["answerability"]["threshold"] == round(model.threshold, 4)


def test_eval_calibrate_holds_out_each_file_when_given_several(
    indexed: Path, tmp_path: Path
) -> None:
    english, japanese = tmp_path / "english.jsonl", tmp_path / "japanese.jsonl"
    lines = [{"question": q, "relevant": [c]} for q, c in ANSWERABLE]
    lines += [{"question": q, "relevant": []} for q in UNANSWERABLE]
    for path, wanted in ((english, True), (japanese, False)):
        mine = [x for x in lines if str(x["question"]).isascii() is wanted]
        path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in mine) + "\n")
    fitted = tmp_path / "both.json"
    code, out, err = invoke(
        "eval", "calibrate", english, japanese, "--index", indexed, "--out", fitted,
        "--folds", "2", "--repeats", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "each file held out" in out and "worst: " in out
    held = json.loads(fitted.read_text())["held_out_set"]
    assert set(held) == {"english", "japanese"}
    assert held["english"]["answerable_refused"]["of"] == 5
    assert held["japanese"]["unanswerable_refused"]["of"] == 2


def test_eval_calibrate_needs_questions_of_both_kinds(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "only.jsonl"
    questions.write_text(
        "\n".join(json.dumps({"question": q, "relevant": [c]}) for q, c in ANSWERABLE) + "\n"
    )
    code, _, err = invoke("eval", "calibrate", questions, "--index", indexed, "--out",
                          tmp_path / "x.json")  # fmt: skip
    assert code != 0 and "unanswerable" in err and not (tmp_path / "x.json").exists()
