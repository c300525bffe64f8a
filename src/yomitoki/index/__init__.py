"""The index: the SQLite store, and (later) keyword and vector search over it."""
