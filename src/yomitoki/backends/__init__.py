"""Backends: the abstract bases the core speaks (``base``), the shipped implementations, and
the entry-point registry (``registry``) through which ``yomitoki.assemble`` finds them."""
