"""``yomitoki mcp`` driven by the official MCP client over stdio, as an agent tool would."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from tests.conftest import CountingEmbedder
from tests.options import ingest_options, open_store
from yomitoki.ingest.pipeline import Ingester

# MCP over stdio with a server subprocess: make test and CI, not make check.
pytestmark = pytest.mark.slow


def test_search_and_ask_tools_return_cited_results(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "yomitoki", "mcp", "--index", str(index)],
        env={**os.environ, "YOMITOKI_MIN_ANSWERABILITY": "0"},
    )

    async def session() -> tuple[set[str], Any, Any]:
        async with Client(server, read_timeout_seconds=120) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            found = await client.call_tool("search", {"query": "nightly hotel limit", "top": 2})
            answered = await client.call_tool("ask", {"question": "What is the hotel limit?"})
            return tools, found, answered

    tools, found, answered = anyio.run(session)
    assert {"search", "ask"} <= tools
    hits = json.loads(found.content[0].text)["hits"]
    assert hits[0]["citation"] == "policy.docx" and "150 dollars" in hits[0]["text"]
    answer = json.loads(answered.content[0].text)
    assert answer["citations"] == ["policy.docx"] and "[policy.docx]" in answer["answer"]
    assert answer["dont_know"] is False
