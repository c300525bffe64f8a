"""Load on ``POST /chat`` with the offline answerer: concurrent clients on loopback.

Run: ``.venv/bin/python -m bench.load_chat [--clients 20] [--seconds 60]``. Starts
``yomitoki serve`` as its own process on the Northwind index (built under .yomitoki/ when
missing; the bundled samples without ../shared), then keeps ``--clients`` clients asking the
Northwind ground-truth questions in turn for ``--seconds`` seconds, each waiting for its answer
before asking again. Records requests/s, latency percentiles and errors in
bench/results/load_chat.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.common import RESULTS, ROOT, SHARED, index_of, machine, write_result

NORTHWIND = SHARED / "northwind"
OUT = RESULTS / "load_chat.json"


def corpus() -> tuple[Path, Path, list[str]]:
    if NORTHWIND.exists():
        lines = (NORTHWIND / "eval" / "ground_truth.jsonl").read_text().splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
        return NORTHWIND / "docs", index_of("northwind"), questions
    questions = ["How many days a week can I work remotely?", "出張の日当はいくらですか？"]
    return ROOT / "samples", ROOT / ".yomitoki" / "bench-samples.sqlite", questions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def client(url: str, questions: list[str], start: int, until: float,
                 latencies: list[float], errors: list[str]) -> None:  # fmt: skip
    async with httpx.AsyncClient(timeout=60) as http:
        n = start
        while time.perf_counter() < until:
            body = {"messages": [{"role": "user", "content": questions[n % len(questions)]}]}
            began = time.perf_counter()
            try:
                reply = await http.post(f"{url}/chat", json=body)
                if reply.status_code != 200 or not reply.json().get("output_text"):
                    errors.append(f"HTTP {reply.status_code}")
                else:
                    latencies.append(1000 * (time.perf_counter() - began))
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            n += 1


async def load(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    began = time.perf_counter()
    until = began + seconds
    await asyncio.gather(*(client(url, questions, i * 7, until, latencies, errors)
                           for i in range(clients)))  # fmt: skip
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0

    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "requests_per_second": round((len(latencies) + len(errors)) / elapsed, 2),
        "latency_ms_p50": pct(0.50),
        "latency_ms_p95": pct(0.95),
        "latency_ms_max": round(max(ordered), 1) if ordered else 0.0,
        "latency_ms_mean": round(statistics.fmean(ordered), 1) if ordered else 0.0,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    docs, index, questions = corpus()
    yomitoki = [sys.executable, "-m", "yomitoki"]
    subprocess.run([*yomitoki, "ingest", str(docs), "--index", str(index), "--no-progress"],
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    log = (ROOT / ".yomitoki" / "load_chat_server.log").open("w")
    server = subprocess.Popen(
        [*yomitoki, "serve", "--index", str(index), "--port", str(port), "--offline"],
        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz").is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("yomitoki serve did not start: see .yomitoki/load_chat_server.log")
        httpx.post(f"{url}/chat", json={"messages": [{"role": "user", "content": "warm up"}]},
                   timeout=60)  # fmt: skip
        result = asyncio.run(load(url, questions, args.clients, args.seconds))
    finally:
        server.terminate()
        server.communicate(timeout=30)
        log.close()
    report = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "corpus": str(docs.relative_to(ROOT.parent)) if NORTHWIND.exists() else "samples",
        "answerer": "offline",
        "command": f"python -m bench.load_chat --clients {args.clients} --seconds {args.seconds:g}",
        **result,
    }
    write_result(OUT, report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
