"""``yomitoki mcp``: an MCP server (the official ``mcp`` SDK) with ``search`` and ``ask`` tools."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from yomitoki import __version__, serialize
from yomitoki.rag.answer import Answerer
from yomitoki.types import Mode


def build_mcp(answerer: Answerer, top: int) -> MCPServer:
    """An MCP server whose tools search and answer from ``answerer``'s index; a search
    returns ``top`` passages (setting ``top``) in the answerer's mode unless asked otherwise."""
    mode_given = answerer.options.mode.value
    server: MCPServer = MCPServer(
        name="yomitoki",
        version=__version__,
        instructions="Search and answer from the user's indexed documents. Answers cite "
        "[file#page=N]; quote those citations when you use an answer.",
    )

    @server.tool(description="Search the indexed documents. Returns passages with citations.")
    def search(
        query: Annotated[str, Field(min_length=1, max_length=2000)],
        top: Annotated[int, Field(ge=1, le=50, description="Passages to return.")] = top,
        mode: Annotated[
            Literal["keyword", "vector", "hybrid"], Field(description="Retrieval legs to use.")
        ] = mode_given,  # type: ignore[assignment]
    ) -> dict[str, Any]:
        filters = answerer.options.filters  # the principal's readers, set by build_answerer
        hits = answerer.retriever.search(query, Mode(mode), top, filters)
        return {"hits": [serialize.hit(h) for h in hits]}

    @server.tool(description="Answer a question from the indexed documents, citing sources.")
    def ask(
        question: Annotated[str, Field(min_length=1, max_length=4000)],
        top: Annotated[
            int | None, Field(ge=1, le=50, description="Passages the answer is written from.")
        ] = None,
    ) -> dict[str, Any]:
        options = answerer.options if top is None else replace(answerer.options, answer_sources=top)
        return serialize.short_answer(*answerer.ask(question, options=options))

    return server
