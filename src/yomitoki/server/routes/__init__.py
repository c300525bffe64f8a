"""The HTTP routes, one module per resource; ``server.app`` assembles them."""

from __future__ import annotations

from fastapi import Request

from yomitoki.server.security import Keys
from yomitoki.server.service import Service


def service_of(request: Request) -> Service:
    """The served index of the app handling ``request``."""
    service: Service = request.app.state.service
    return service


def keys_of(request: Request) -> Keys:
    """The API keys and sessions of the app handling ``request``."""
    keys: Keys = request.app.state.keys
    return keys
