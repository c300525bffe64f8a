"""``s3://BUCKET[/PREFIX]``: objects of an S3 bucket or an S3-compatible store, through boto3.

Credentials and region come the usual AWS ways (``AWS_ACCESS_KEY_ID``, profiles, roles);
``s3_endpoint_url`` points at another store. Readers come from each object's
``yomitoki_readers`` tag (``s3_tags``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from yomitoki.errors import SourceError
from yomitoki.ingest.source import READERS_KEY, GoneError, Listed, Source, reader_tokens
from yomitoki.sources import SourceOptions
from yomitoki.sources.stamps import marker

_REFUSED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"}


class S3Source(Source):
    """The objects of one bucket under a prefix."""

    def __init__(self, bucket: str, prefix: str, options: SourceOptions) -> None:
        self.uri = f"s3://{bucket}/{prefix}".rstrip("/")
        self._bucket = bucket
        self._prefix = f"{prefix}/" if prefix else ""
        self._tags = options.s3_tags
        config = Config(
            connect_timeout=options.timeout,
            read_timeout=max(options.timeout, 60),
            retries={"max_attempts": 2, "mode": "standard"},
        )
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=options.s3_endpoint_url,
            region_name=options.s3_region,
            config=config,
        )

    def listing(self) -> Iterator[Listed]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._prefix
        )
        with _failures(self.uri):
            for page in pages:
                for item in page.get("Contents", ()):
                    key: str = item["Key"]
                    if key.endswith("/"):
                        continue  # a folder marker
                    yield Listed(
                        key[len(self._prefix) :],
                        int(item["Size"]),
                        marker(item["LastModified"], item.get("ETag")),
                        self._readers(key) if self._tags else (),
                    )

    def _readers(self, key: str) -> tuple[str, ...]:
        try:
            tags = self._client.get_object_tagging(Bucket=self._bucket, Key=key)["TagSet"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return ()  # removed since it was listed: its read will say so
            raise
        values = [t["Value"] for t in tags if t["Key"].lower() == READERS_KEY]
        return reader_tokens(" ".join(values))

    def read(self, key: str, into: BinaryIO) -> None:
        with _failures(self.uri):
            try:
                body = self._client.get_object(Bucket=self._bucket, Key=self._prefix + key)["Body"]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise GoneError(key) from None
                raise
            with body:
                shutil.copyfileobj(body, into, 1 << 20)

    def close(self) -> None:
        self._client.close()


@contextmanager
def _failures(uri: str) -> Iterator[None]:
    """The client's errors as one clear SourceError each (no secret is in them)."""
    try:
        yield
    except GoneError:
        raise
    except NoCredentialsError:
        raise SourceError(
            f"{uri}: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a "
            "profile or a role)"
        ) from None
    except EndpointConnectionError as exc:
        raise SourceError(f"{uri}: cannot reach {exc.kwargs.get('endpoint_url')}") from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "?")
        if code == "NoSuchBucket":
            raise SourceError(f"{uri}: no such bucket") from None
        if code in _REFUSED:
            raise SourceError(f"{uri}: the store refused the credentials ({code})") from None
        raise SourceError(f"{uri}: the store answered {code}") from None
    except BotoCoreError as exc:
        raise SourceError(f"{uri}: {exc}") from None
