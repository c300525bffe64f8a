"""The HTTP routes, one module per resource; ``server.app`` assembles them."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request

from yomitoki.errors import UnauthorizedError
from yomitoki.rag.answer import AnswerOptions
from yomitoki.server.identity import Identities
from yomitoki.server.service import Service
from yomitoki.types import Principal


def service_of(request: Request) -> Service:
    """The served index of the app handling ``request``."""
    service: Service = request.app.state.service
    return service


def identities_of(request: Request) -> Identities:
    """The identities and sessions of the app handling ``request``."""
    identities: Identities = request.app.state.identities
    return identities


def principal_of(request: Request) -> Principal:
    """Who sent ``request``; a route that needs someone refuses nobody with 401."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise UnauthorizedError("sign in first: an API key or a bearer token is required")
    return principal


def for_principal(options: AnswerOptions, principal: Principal) -> AnswerOptions:
    """``options`` restricted to the documents ``principal`` may read, in every leg."""
    return replace(options, filters=replace(options.filters, readers=principal.readers()))


#: What a route declares to get the served index, and who is asking (401 if nobody).
Served = Annotated[Service, Depends(service_of)]
Asking = Annotated[Principal, Depends(principal_of)]
IdentitiesOf = Annotated[Identities, Depends(identities_of)]
