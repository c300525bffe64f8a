"""The Milvus engine: the index in a Milvus server (milvus-lite on a laptop, a cluster beyond)."""
