"""The three collections an index is made of, created on first use.

``{name}_meta`` holds the embedding model, ``{name}_documents`` one row per document and
``{name}_chunks`` one row per chunk with everything a search needs: its vector, its keyword
tokens (BM25 is computed by the engine over them) and, copied from its document, the fields
filters compare. Milvus needs a vector in every collection, so the first two carry a constant
two-dimensional one.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymilvus import (
    CollectionSchema,
    DataType,
    Function,
    FunctionType,
    MilvusClient,
    MilvusException,
)

from yomitoki.index.bm25 import K1, B

#: The longest string Milvus keeps in a VARCHAR field, in bytes.
LONGEST = 65_535
#: A chunk's distinct tokens kept for document frequencies (a longer chunk keeps its first).
VOCABULARY = 4096
#: Reader tokens a document may have.
READERS = 1024


def _create(
    client: MilvusClient, name: str, schema: CollectionSchema, indexes: dict[str, dict[str, Any]]
) -> None:
    """Create a collection with its indexes (``field -> add_index arguments``), loaded.

    (pymilvus waits half a second for each index; asking without waiting and polling was
    tried, and Milvus Lite then sometimes searched before the vector index was in place.)
    """
    index = client.prepare_index_params()
    for field, arguments in indexes.items():
        index.add_index(field, **arguments)
    client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")


def _small_collection(client: MilvusClient, name: str, fields: list[tuple[str, Any]]) -> None:
    schema = client.create_schema(auto_id=False)
    for field, kind in fields:
        if kind is DataType.VARCHAR:
            schema.add_field(field, kind, max_length=LONGEST, is_primary=field == "key")
        else:
            schema.add_field(field, kind, is_primary=field == "id")
    schema.add_field("dot", DataType.FLOAT_VECTOR, dim=2)
    _create(client, name, schema, {"dot": {"index_type": "FLAT", "metric_type": "L2"}})


def create_meta(client: MilvusClient, name: str) -> None:
    """``key`` -> JSON ``value``."""
    _small_collection(client, name, [("key", DataType.VARCHAR), ("value", DataType.VARCHAR)])


def create_documents(client: MilvusClient, name: str) -> None:
    """One row per document: its encoded path, name and root, and its fields as JSON."""
    fields = [
        ("id", DataType.INT64),
        ("path_key", DataType.VARCHAR),
        ("name_key", DataType.VARCHAR),
        ("root_key", DataType.VARCHAR),
        ("record", DataType.VARCHAR),
        ("added", DataType.INT64),
    ]
    _small_collection(client, name, fields)


def create_chunks(client: MilvusClient, name: str, dim: int, index_type: str) -> None:
    """One row per chunk; ``sparse`` is BM25 over ``words``, computed by Milvus."""
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("document_id", DataType.INT64)
    schema.add_field("ordinal", DataType.INT64)
    schema.add_field("added", DataType.INT64)
    schema.add_field("vector_key", DataType.VARCHAR, max_length=128)
    schema.add_field("name_key", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("category_key", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field(
        "readers", DataType.ARRAY, element_type=DataType.VARCHAR,
        max_capacity=READERS, max_length=4096,
    )  # fmt: skip
    schema.add_field(
        "words", DataType.VARCHAR, max_length=LONGEST,
        enable_analyzer=True, analyzer_params={"tokenizer": "whitespace"},
    )  # fmt: skip
    schema.add_field(
        "vocabulary", DataType.ARRAY, element_type=DataType.VARCHAR,
        max_capacity=VOCABULARY, max_length=16,
    )  # fmt: skip
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("text", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("norm_text", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("record", DataType.VARCHAR, max_length=LONGEST)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["words"],
            output_field_names=["sparse"],
        )
    )
    indexes: dict[str, dict[str, Any]] = {
        "sparse": {
            "index_type": "SPARSE_INVERTED_INDEX",
            "metric_type": "BM25",
            "params": {"bm25_k1": K1, "bm25_b": B},
        },
        "vector": {"index_type": index_type, "metric_type": "COSINE"},
        "document_id": {"index_type": "INVERTED"},
        "vector_key": {"index_type": "INVERTED"},
    }
    _create(client, name, schema, indexes)
    # Document frequencies count chunks by token; a Milvus server has inverted indexes on
    # arrays, Milvus Lite has none and scans instead (a capability, not a failure).
    tokens = client.prepare_index_params()
    tokens.add_index("vocabulary", index_type="INVERTED")
    with contextlib.suppress(MilvusException):
        client.create_index(name, tokens)


#: The chunk fields read back (``sparse`` is the engine's own and cannot be).
CHUNK_FIELDS = [
    "id", "document_id", "ordinal", "added", "vector_key", "name_key", "category_key",
    "readers", "words", "vocabulary", "vector", "text", "norm_text", "record",
]  # fmt: skip
