"""Ingestion: files in, chunks and vectors in the index out."""
