"""The lowest layer: Japanese and English text as ingest, search and answers all read it.

Normalization, sentence splitting, the keyword analyzer, language detection and the citation
grammar. Pure functions over strings; nothing here knows about files, indexes or models.
"""
