"""OCR on scans of the shared PDFs: character error rate, speed and retrieval.

Run: ``.venv/bin/python -m bench.ocr`` (needs Debian's tesseract-ocr, tesseract-ocr-jpn,
tesseract-ocr-jpn-vert and the bench extra's rapidfuzz). The 93-page model employment rules
and Northwind's two benefits PDFs are rendered to image-only PDFs at 200 and 300 dpi (what a
scanner without OCR writes), with a page turned 90 degrees and a vertical-text page made for
the purpose beside them. Each is read by yomitoki's PDF parser with OCR, cold (an empty
cache), and compared with the born-digital text layer after the same parsing and
normalization; white space is ignored, as Japanese has none to get right. Then the scanned
copies replace the originals in their folders and retrieval runs on the same questions as on
the born-digital folders. Results: bench/results/ocr.json. ``--retrieval-only`` runs the
retrieval part again on what an earlier run left in .yomitoki/bench-ocr.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from rapidfuzz.distance import Levenshtein
from tests.builders import image_pdf, page_image

from bench.common import HERE, RESULTS, ROOT, SHARED, machine, shown, write_result, yomitoki
from yomitoki.ingest.ocr.reader import OcrOptions, PageReader
from yomitoki.ingest.parsers import parse_file
from yomitoki.text.normalize import normalize
from yomitoki.types import OcrMode, ParsedDocument

WORK = ROOT / ".yomitoki" / "bench-ocr"
#: name -> (folder of documents, the PDFs scanned, the questions on them)
SETS = {
    "model_rules_ja": (
        SHARED / "japanese-docs",
        ["001018385.pdf"],
        HERE / "data" / "model_rules_ja.jsonl",
    ),
    "northwind": (
        SHARED / "northwind" / "docs",
        ["Northwind_Health_Plus_Benefits_Details.pdf", "Northwind_Standard_Benefits_Details.pdf"],
        SHARED / "northwind" / "eval" / "ground_truth.jsonl",
    ),
}
DPIS = (200, 300)
#: The model rules' page turned sideways, as a page fed into a scanner the wrong way.
ROTATED_PAGE = 22
#: Printed top to bottom, right to left: the vertical-text page's lines (and its truth).
VERTICAL_TEXT = [
    "第一条　この規則は、労働基準法に基づき、",
    "労働者の就業に関する事項を定める。",
    "第二条　労働者は、この規則を守り、",
    "業務に誠実に従事しなければならない。",
    "第三条　休憩時間は、六十分とする。",
    "第四条　年次有給休暇は十日を与える。",
]
MAX_BYTES = 1 << 30


def scan(source: Path, target: Path, dpi: int) -> int:
    """``source`` rendered page by page into an image-only PDF at ``target``; its pages."""
    pdf = pdfium.PdfDocument(source)
    try:
        images = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                  for i in range(len(pdf))]  # fmt: skip
    finally:
        pdf.close()
    image_pdf(target, images, dpi)
    return len(images)


def page_texts(doc: ParsedDocument) -> dict[int, str]:
    """Each page's text as indexed, white space removed: what the error rate compares."""
    pages: dict[int, str] = {}
    for section in doc.sections:
        page = section.location.page or 1
        pages[page] = pages.get(page, "") + "".join(normalize(section.text).split())
    return pages


def error_rate(truth: dict[int, str], read: dict[int, str]) -> dict[str, Any]:
    """Character error rate over all pages: edits / characters of the truth."""
    edits = sum(Levenshtein.distance(text, read.get(page, "")) for page, text in truth.items())
    chars = sum(len(text) for text in truth.values())
    worst = sorted(
        ((Levenshtein.distance(t, read.get(p, "")) / max(len(t), 1), p) for p, t in truth.items()),
        reverse=True,
    )[:3]
    return {
        "cer": round(edits / max(chars, 1), 4),
        "characters": chars,
        "worst_pages": [{"page": p, "cer": round(c, 3)} for c, p in worst],
    }


def reader(cache: Path) -> PageReader:
    """The reader ingest uses by default (300 dpi, every core, Japanese and English)."""
    return PageReader(
        OcrOptions(
            mode=OcrMode.AUTO,
            languages=("jpn", "eng"),
            dpi=300,
            page_seconds=300,
            max_pixels=100_000_000,
            workers=len(os.sched_getaffinity(0)),
            cache=cache,
        )
    )


def read_scan(path: Path, cache: Path) -> tuple[ParsedDocument, float]:
    """Parse a scan with OCR on a cold cache; the document and the seconds it took."""
    shutil.rmtree(cache, ignore_errors=True)
    began = time.perf_counter()
    doc = parse_file(path, MAX_BYTES, reader(cache))
    return doc, time.perf_counter() - began


def rules_page() -> Image.Image:
    """Page ``ROTATED_PAGE`` of the model rules at 300 dpi, in grey."""
    pdf = pdfium.PdfDocument(SHARED / "japanese-docs" / "001018385.pdf")
    try:
        image: Image.Image = pdf[ROTATED_PAGE - 1].render(scale=300 / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    return image.convert("L")


def special_pages(folder: Path, cache: Path) -> dict[str, Any]:
    """The sideways page and the vertical page, each as a one-page 300-dpi scan."""
    out: dict[str, Any] = {}
    rules = SHARED / "japanese-docs" / "001018385.pdf"
    upright = rules_page()
    truth = page_texts(parse_file(rules, MAX_BYTES))[ROTATED_PAGE]
    turned = image_pdf(folder / "rotated.pdf", [upright.rotate(90, expand=True)], 300)
    doc, seconds = read_scan(turned, cache)
    out["rotated_90"] = {
        "source": f"{shown(rules)}#page={ROTATED_PAGE}",
        **error_rate({1: truth}, page_texts(doc)),
        "seconds": round(seconds, 2),
    }
    size = (2480, 3508)  # A4 at 300 dpi
    vertical = image_pdf(
        folder / "vertical.pdf", [page_image(VERTICAL_TEXT, vertical=True, size=size)], 300
    )
    doc, seconds = read_scan(vertical, cache)
    truth = "".join(normalize("".join(VERTICAL_TEXT)).split())
    out["vertical"] = {
        "source": "bench.ocr.VERTICAL_TEXT printed in columns (Noto Sans CJK JP)",
        **error_rate({1: truth}, page_texts(doc)),
        "seconds": round(seconds, 2),
        "read": next(iter(page_texts(doc).values()), ""),
    }
    return out


def tesseract_version() -> str:
    """The version of the Tesseract the reader runs."""
    engine = reader(WORK / "cold")
    engine.warnings()
    return str(engine.engine.version)


def tesseract_memory(folder: Path) -> dict[str, float]:
    """Peak memory (MiB) of the Tesseract processes reading one A4 page at 300 dpi as the
    reader does: orientation detection, then the page's model."""
    png = folder / "page.png"
    rules_page().save(png)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    peaks = {}
    for step, args in (("orientation", ["--psm", "0"]), ("read", ["-l", "jpn", "--psm", "6"])):
        argv = ["tesseract", str(png), "stdout", *args]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        # VmHWM is the process's own high-water mark since its exec: the last value read
        # before it exits is its peak (to within the last poll).
        peak = 0
        status = Path(f"/proc/{proc.pid}/status")
        while proc.poll() is None:
            with contextlib.suppress(OSError):
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            time.sleep(0.01)
        peaks[step] = round(peak / 1024, 1)
    return peaks


def retrieval(docs: Path, questions: Path, index: Path, cache: Path) -> dict[str, Any]:
    """``yomitoki eval retrieval --compare`` on a folder, OCR readings taken from ``cache``."""
    env = {**os.environ, "YOMITOKI_OCR_CACHE": str(cache)}
    began = time.perf_counter()
    yomitoki("ingest", str(docs), "--index", str(index), "--no-progress", env=env)
    ingest = time.perf_counter() - began
    out = index.with_suffix(".json")
    yomitoki("eval", "retrieval", str(questions), "--index", str(index), "--compare",
             "--json", str(out), env=env)  # fmt: skip
    summary = json.loads(out.read_text())
    return {"ingest_seconds": round(ingest, 1), "modes": summary["modes"]}


def retrieval_again() -> int:
    """``--retrieval-only``: the retrieval runs again on the scans and readings an earlier
    run left in .yomitoki/bench-ocr (after a change to ingest or search), every other figure
    kept from results/ocr.json."""
    result = json.loads((RESULTS / "ocr.json").read_text())
    for name, (docs, _, questions) in SETS.items():
        runs = {"born_digital": (docs, WORK / "cache-born")}
        runs |= {f"scanned_{dpi}dpi": (WORK / f"{name}-{dpi}dpi", WORK / f"cache-{dpi}")
                 for dpi in DPIS}  # fmt: skip
        for run, (folder, cache) in runs.items():
            index = WORK / f"{name}-{run.removeprefix('scanned_').replace('born_digital', 'born')}"
            for stale in WORK.glob(f"{index.name}.sqlite*"):
                stale.unlink()
            result["retrieval"][name][run] = retrieval(
                folder, questions, index.with_suffix(".sqlite"), cache
            )
    finish(result)
    return 0


def finish(result: dict[str, Any]) -> None:
    """Each scanned run's hybrid hit@5 beside the born-digital one's; the result written."""
    for runs in result["retrieval"].values():
        born = runs["born_digital"]["modes"]["hybrid"]["hit@5"]
        for figures in runs.values():
            figures["hybrid_hit@5_minus_born_digital"] = round(
                figures["modes"]["hybrid"]["hit@5"] - born, 3
            )
    write_result(RESULTS / "ocr.json", result)


def main() -> int:
    missing = [name for name, (docs, _, _) in SETS.items() if not docs.exists()]
    if missing:
        print(f"skipped: {', '.join(missing)} not found under {SHARED}")
        return 0
    if "--retrieval-only" in sys.argv[1:]:
        return retrieval_again()
    WORK.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "machine": machine(),
        "command": ".venv/bin/python -m bench.ocr",
        "reader": f"Debian tesseract {tesseract_version()} through pytesseract, one process a "
        "core, pages rendered at 300 dpi; per page: orientation and script detection, rules "
        "removed, --psm 6 with the script's model (jpn or eng), or --psm 5 jpn_vert when the "
        "text runs in columns",
        "cer": {},
        "speed": {},
        "retrieval": {},
    }
    caches = {dpi: WORK / f"cache-{dpi}" for dpi in DPIS}
    for name, (docs, scanned, questions) in SETS.items():
        born = WORK / f"{name}-born.sqlite"
        result["retrieval"].setdefault(name, {})["born_digital"] = retrieval(
            docs, questions, born, WORK / "cache-born"
        )
        for dpi in DPIS:
            folder = WORK / f"{name}-{dpi}dpi"
            shutil.rmtree(folder, ignore_errors=True)
            # Files copied, not their modes: the shared folder may be read-only.
            shutil.copytree(docs, folder, copy_function=shutil.copyfile)
            folder.chmod(0o755)
            cache = caches[dpi]
            cold = WORK / "cold"
            for pdf_name in scanned:
                pages = scan(docs / pdf_name, folder / pdf_name, dpi)
                truth = page_texts(parse_file(docs / pdf_name, MAX_BYTES))
                doc, seconds = read_scan(folder / pdf_name, cold)
                shutil.copytree(cold, cache, dirs_exist_ok=True)
                key = f"{pdf_name}@{dpi}dpi"
                result["cer"][key] = error_rate(truth, page_texts(doc))
                result["speed"][key] = {
                    "pages": pages,
                    "seconds": round(seconds, 1),
                    "pages_per_second": round(pages / seconds, 3),
                }
                print(key, result["cer"][key]["cer"], result["speed"][key], flush=True)
            index = WORK / f"{name}-{dpi}dpi.sqlite"
            for stale in WORK.glob(f"{index.name}*"):
                stale.unlink()
            result["retrieval"][name][f"scanned_{dpi}dpi"] = retrieval(
                folder, questions, index, cache
            )
            write_result(RESULTS / "ocr.json", result)
    result["special_pages"] = special_pages(WORK, WORK / "cold")
    result["tesseract_peak_rss_mib_a4_page_300dpi"] = tesseract_memory(WORK)
    finish(result)
    print(
        json.dumps({k: result[k] for k in ("cer", "special_pages")}, ensure_ascii=False, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
