"""The HTTP API, the web UI and the MCP server."""
