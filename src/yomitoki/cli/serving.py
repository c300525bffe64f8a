"""``yomitoki serve`` and ``mcp``: the index for browsers, HTTP clients and MCP hosts."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import click

from yomitoki import assemble
from yomitoki.cli.answering import answer_options, build_answerer, settings_with
from yomitoki.cli.common import common_options, err


@click.command()
@common_options
@answer_options
@click.option("--host", default=None, help="Address to listen on (setting 'host').")
@click.option("--port", type=int, default=None, help="Port (setting 'port').")
@click.option(
    "--allow-open-access",
    is_flag=True,
    help="Serve on a non-loopback address without API keys: anyone who can reach "
    "the port may read, upload and delete documents.",
)
def serve(
    config: Path | None,
    index: Path | None,
    host: str | None,
    port: int | None,
    allow_open_access: bool,
    **flags: Any,
) -> None:
    """Serve the HTTP API and the web chat UI over the index."""
    import uvicorn

    from yomitoki.server.app import create_app
    from yomitoki.server.security import is_loopback

    settings = settings_with(config, index, flags, host=host, port=port)
    if not settings.api_keys and not is_loopback(settings.host) and not allow_open_access:
        raise click.UsageError(
            f"refusing to serve on {settings.host} without API keys: anyone who can reach it "
            "could read, upload and delete documents. Set api_keys (YOMITOKI_API_KEYS), listen "
            "on 127.0.0.1, or pass --allow-open-access to accept that."
        )
    if not settings.api_keys and not is_loopback(settings.host):
        err.print("warning: serving without API keys on a non-loopback address")
    app = create_app(settings, build_answerer(settings, flags, create=True))
    listening = _listen(settings.host, settings.port)
    port = listening.getsockname()[1]
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    err.print(f"yomitoki serving {assemble.index_location(settings)} on http://{shown}:{port}/")
    served = uvicorn.Config(app, host=settings.host, port=port, log_level="warning")
    uvicorn.Server(served).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything says it is serving; a clear error when the
    address is taken or cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
        raise click.UsageError(
            f"{host}:{port} {reason}; choose another with --port (setting 'port')"
        ) from None


@click.command("mcp")
@common_options
@answer_options
def mcp_command(config: Path | None, index: Path | None, **flags: Any) -> None:
    """Run an MCP server on stdio with 'search' and 'ask' tools over the index."""
    from yomitoki.server.mcp_tools import build_mcp

    settings = settings_with(config, index, flags)
    answerer = build_answerer(settings, {**flags, "mcp_user": settings.mcp_user})
    server = build_mcp(answerer, settings.top)
    server.run("stdio")
