"""Hostile files against ingest: every case must end as a clean result or a clean per-file error.

Real files of every supported format (made here, plus Northwind PDFs when ../shared has them)
are mutated (bit flips, truncation) and joined by hand-made attacks: zip bombs and a billion
laughs in DOCX/XLSX/PPTX, deeply nested JSON, a 10,000-page PDF, a 20 MB single line, a PDF
under an Office extension. Each case is ingested by the real pipeline (hash embedder, a fresh
index) in its own process under a memory limit and a timeout. A case is *unhandled* when that
process crashes, times out, runs out of memory, or reports an internal error.

    .venv/bin/python -m bench.fuzz_parsers            # writes bench/results/fuzz_parsers.json
"""

from __future__ import annotations

import io
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import RESULTS, SHARED, write_result

RESULT = RESULTS / "fuzz_parsers.json"
TIMEOUT_S = 120
MEMORY_BYTES = 3 << 30
FLIPS, CUTS = 20, 10

WORKER = """
import json, resource, sys, time
from pathlib import Path

from bench.common import RESULTS, SHARED, write_result
from yomitoki import assemble
from yomitoki.settings import Settings
path, index = Path(sys.argv[1]), Path(sys.argv[2])
began = time.perf_counter()
with assemble.ingesting(Settings(index=index, embedder="hash")) as ingester:
    report = ingester.run(path)
(result,) = report.results
print(json.dumps({"outcome": result.outcome.value, "error": result.error,
                  "chunks": result.chunks, "seconds": time.perf_counter() - began,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def seeds(folder: Path) -> list[Path]:
    """One real file of every supported format."""
    import docx
    import openpyxl
    import pptx
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    pdf = folder / "seed.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    for n in range(3):
        page.drawString(72, 760, f"Page {n + 1}. The warranty covers parts for two years.")
        page.showPage()
    page.save()
    made.append(pdf)
    document = docx.Document()
    document.add_heading("Travel policy", 1)
    document.add_paragraph("The nightly hotel limit is 150 dollars.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "City", "180"
    document.save(str(folder / "seed.docx"))
    made.append(folder / "seed.docx")
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Budget"
    slide.placeholders[1].text = "The budget is 2 million yen"
    deck.save(str(folder / "seed.pptx"))
    made.append(folder / "seed.pptx")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Item", "Price"])
    sheet.append(["Apple", 120])
    book.save(str(folder / "seed.xlsx"))
    made.append(folder / "seed.xlsx")
    texts = {
        "seed.html": "<html><head><title>Help</title></head><body><h1>Support</h1>"
        "<p>Call us on weekdays.</p><table><tr><td>a</td></tr></table></body></html>",
        "seed.md": "# 社内規程\n\n就業時間は9時から18時までです。\n\n"
        "## 休暇\n\n年次有給休暇は20日です。\n",
        "seed.csv": "name,team\nSato,Sales\nSuzuki,Support\n",
        "seed.tsv": "name\tteam\nSato\tSales\n",
        "seed.json": json.dumps([{"Title": "Fix login", "Body": "<b>fails</b>"}]),
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        made.append(folder / name)
    (folder / "seed.txt").write_bytes("会議は毎週月曜日です。".encode("cp932"))
    made.append(folder / "seed.txt")
    northwind = SHARED / "northwind" / "docs"
    if northwind.is_dir():
        made += sorted(northwind.glob("*.pdf"), key=lambda p: p.stat().st_size)[:2]
    return made


def mutations(seed: Path, out: Path, rng: random.Random) -> list[Path]:
    """Bit flips and truncations of ``seed``."""
    data = seed.read_bytes()
    cases = []
    for i in range(FLIPS):
        mutated = bytearray(data)
        for _ in range(rng.choice((1, 4, 32, 256))):
            at = rng.randrange(len(mutated))
            mutated[at] ^= 1 << rng.randrange(8)
        cases.append(_write(out / f"flip{i:02d}-{seed.name}", bytes(mutated)))
    for i in range(CUTS):
        cases.append(_write(out / f"cut{i:02d}-{seed.name}", data[: rng.randrange(len(data))]))
    return cases


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _office_with(seed: Path, member: str, payload: bytes, out: Path, tag: str) -> Path:
    """``seed`` with ``member`` replaced by ``payload`` (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(seed) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            if item.filename != member:
                z.writestr(item, source.read(item.filename))
        z.writestr(member, payload)
    return _write(out / f"{tag}-{seed.name}", buffer.getvalue())


def attacks(seed_dir: Path, out: Path) -> list[Path]:
    """Hand-made hostile files."""
    cases = []
    zeros = b"<w:t>" + b"0" * (1 << 30)  # 1 GiB of one byte deflates to about 1 MiB
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    members = {"docx": "word/document.xml", "pptx": "ppt/slides/slide1.xml",
               "xlsx": "xl/worksheets/sheet1.xml"}  # fmt: skip
    for suffix, member in members.items():
        seed = seed_dir / f"seed.{suffix}"
        cases.append(_office_with(seed, member, zeros, out, "bomb"))
        cases.append(_office_with(seed, member, laughs, out, "laughs"))
    cases.append(_write(out / "nested.json", b"[" * 200_000 + b"]" * 200_000))
    cases.append(_write(out / "nested-objects.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000))
    cases.append(_write(out / "one-line.txt", b"a" * (20 << 20)))
    cases.append(_write(out / "one-line-ja.txt", "あ".encode() * (7 << 20)))
    cases.append(_write(out / "one-line.md", b"# " + b"x" * (20 << 20)))
    cases.append(_write(out / "pdf-as.docx", (seed_dir / "seed.pdf").read_bytes()))
    cases.append(_write(out / "empty.pdf", b""))
    cases.append(_write(out / "binary.txt", os.urandom(1 << 16)))
    cases.append(_write(out / "deep.html", b"<div>" * 100_000 + b"text" + b"</div>" * 100_000))
    cases.append(_thousands_of_pages(out / "pages-10000.pdf", 10_000))
    return cases


def _thousands_of_pages(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    for n in range(pages):
        page.drawString(72, 760, f"Page {n + 1} of a very long manual.")
        page.showPage()
    page.save()
    return path


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_case(path: Path, work: Path) -> dict[str, object]:
    """Ingest ``path`` in its own process; classify how it ended."""
    index = work / f"{path.name}.sqlite"
    began = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(path), str(index)],
            capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=_limit, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"case": path.name, "verdict": "unhandled", "why": f"timeout {TIMEOUT_S} s"}
    seconds = time.perf_counter() - began
    for leftover in work.glob(f"{path.name}.sqlite*"):
        leftover.unlink()
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"case": path.name, "verdict": "unhandled", "why": tail, "seconds": seconds}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    internal = (result["error"] or "").startswith("internal error")
    return {
        "case": path.name,
        "verdict": "unhandled" if internal else result["outcome"],
        "why": result["error"],
        "chunks": result["chunks"],
        "seconds": round(seconds, 2),
        "peak_mib": round(result["peak_mib"], 1),
    }


def main() -> None:
    rng = random.Random(20261129)
    with tempfile.TemporaryDirectory(prefix="yomitoki-fuzz-") as tmp:
        root = Path(tmp)
        seed_dir, cases_dir, work = root / "seeds", root / "cases", root / "work"
        cases_dir.mkdir()
        work.mkdir()
        seed_files = seeds(seed_dir)
        cases = [c for seed in seed_files for c in mutations(seed, cases_dir, rng)]
        cases += attacks(seed_dir, cases_dir)
        print(f"{len(cases)} cases from {len(seed_files)} seeds", flush=True)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda c: run_case(c, work), cases))
        elapsed = time.perf_counter() - began
    unhandled = [r for r in results if r["verdict"] == "unhandled"]
    slowest = max(results, key=lambda r: float(r.get("seconds", TIMEOUT_S)))  # type: ignore[arg-type]
    heaviest = max(results, key=lambda r: float(r.get("peak_mib", 0)))  # type: ignore[arg-type]
    verdicts: dict[str, int] = {}
    for r in results:
        verdicts[str(r["verdict"])] = verdicts.get(str(r["verdict"]), 0) + 1
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": ".venv/bin/python -m bench.fuzz_parsers",
        "bounds": {"timeout_s": TIMEOUT_S, "memory_gib": MEMORY_BYTES / 2**30},
        "seeds": [p.name for p in seed_files],
        "cases": len(results),
        "verdicts": verdicts,
        "unhandled": len(unhandled),
        "slowest": slowest,
        "most_memory": heaviest,
        "seconds": round(elapsed, 1),
        "per_case": results,
    }
    RESULT.parent.mkdir(exist_ok=True)
    write_result(RESULT, summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "per_case"}, indent=1))
    for r in unhandled:
        print("UNHANDLED", r)


if __name__ == "__main__":
    main()
