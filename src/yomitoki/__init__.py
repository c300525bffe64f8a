"""yomitoki: answer questions from your own documents, with checked citations."""

__version__ = "0.1.0"
