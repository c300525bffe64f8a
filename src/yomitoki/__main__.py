"""``python -m yomitoki`` runs the CLI."""

from yomitoki.cli import main

main()
