"""The embedded engine: one SQLite file per index, searched from memory (BM25 and vectors)."""
