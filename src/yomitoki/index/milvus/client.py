"""The Milvus calls the engine makes, each turning Milvus's errors into a StoreError."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pymilvus import MilvusClient, MilvusException

from yomitoki.errors import StoreError

T = TypeVar("T")
# pymilvus logs every failed call with its traceback, and warns on each Milvus Lite query
# iterator; the engine reports failures itself, as StoreError.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
#: Attempts to connect before an error.
CONNECT_TRIES = 3
#: Milvus returns at most this many rows or hits from one call.
MOST = 16_384


@dataclass(frozen=True, slots=True)
class MilvusOptions:
    """Where the index is and how it is built (settings ``milvus_*``)."""

    uri: str
    #: The collections are ``{collection}_meta``, ``_documents`` and ``_chunks``.
    collection: str
    #: The vector index: FLAT (exact), IVF_FLAT, AUTOINDEX, or HNSW on a Milvus cluster.
    index_type: str
    token: str | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None
    timeout: float = 30.0


class Calls:
    """A connected client; every call raises StoreError naming the server on failure."""

    def __init__(self, options: MilvusOptions) -> None:
        self.uri = options.uri
        self.timeout = options.timeout
        extra: dict[str, Any] = {}
        if options.database:
            extra["db_name"] = options.database

        def connect() -> MilvusClient:
            return MilvusClient(
                uri=options.uri,
                token=options.token or "",
                user=options.user or "",
                password=options.password or "",
                timeout=options.timeout,
                **extra,
            )

        # A server may refuse a new connection for a moment (restarting, or gRPC's GOAWAY
        # when many clients connect at once): try three times before giving up.
        for attempt in range(CONNECT_TRIES):
            try:
                self.client = self._run("connect", connect)
                break
            except StoreError:
                if attempt == CONNECT_TRIES - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))

    def _run(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except MilvusException as exc:
            raise StoreError(f"Milvus at {self.uri}: {what} failed: {exc.message}") from None
        except Exception as exc:  # noqa: BLE001 - gRPC and connection errors have many types
            raise StoreError(f"Milvus at {self.uri}: {what} failed: {exc}") from None

    def has(self, name: str) -> bool:
        return bool(self._run("has_collection", lambda: self.client.has_collection(name)))

    def create(self, name: str, make: Callable[[MilvusClient, str], None]) -> None:
        """Create a collection unless another process just did."""
        try:
            make(self.client, name)
        except MilvusException as exc:
            if not self.has(name):
                message = f"Milvus at {self.uri}: cannot create {name}: {exc.message}"
                raise StoreError(message) from None

    def query(
        self, name: str, where: str, fields: Sequence[str], limit: int | None = None
    ) -> list[dict[str, Any]]:
        extra = {"limit": limit} if limit is not None else {}
        return self._run(
            f"query of {name}",
            lambda: list(
                self.client.query(name, filter=where, output_fields=list(fields), **extra)
            ),
        )

    def each(self, name: str, where: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every row ``where`` admits, however many (a query returns at most ``MOST``)."""
        iterator = self._run(
            f"query of {name}",
            lambda: self.client.query_iterator(
                name, batch_size=1000, filter=where, output_fields=list(fields)
            ),
        )
        try:
            while batch := self._run(f"query of {name}", iterator.next):
                yield from batch
        finally:
            iterator.close()

    def count(self, name: str, where: str = "") -> int:
        rows = self.query(name, where, ["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def search(
        self,
        name: str,
        data: list[Any],
        field: str,
        metric: str,
        limit: int,
        where: str,
    ) -> list[tuple[int, float]]:
        hits = self._run(
            f"search of {name}",
            lambda: self.client.search(
                name,
                data=data,
                anns_field=field,
                limit=min(limit, MOST),
                filter=where,
                search_params={"metric_type": metric},
            ),
        )
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits[0]]

    def insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        self._run(f"insert into {name}", lambda: self.client.insert(name, rows))

    def upsert(self, name: str, rows: list[dict[str, Any]]) -> None:
        self._run(f"upsert into {name}", lambda: self.client.upsert(name, rows))

    def delete(self, name: str, where: str) -> None:
        self._run(f"delete from {name}", lambda: self.client.delete(name, filter=where))

    def drop(self, name: str) -> None:
        self._run(f"drop of {name}", lambda: self.client.drop_collection(name))

    def close(self) -> None:
        self.client.close()
