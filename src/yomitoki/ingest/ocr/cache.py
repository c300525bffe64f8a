"""OCR results kept by page-image hash: a re-ingest of an unchanged scan reads nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PIL import Image

from yomitoki.ingest.ocr.tesseract import PageText
from yomitoki.whole import write_whole

#: Bumped when the way a page is read changes, so older readings are not reused.
RECIPE = "3"


def image_key(image: Image.Image, reading: str) -> str:
    """The cache key of ``image`` read as ``reading`` (the languages asked for)."""
    digest = hashlib.sha256(f"{RECIPE}\0{reading}\0{image.mode}\0{image.size}\0".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


class OcrCache:
    """One small JSON file per page reading, under ``folder``; a damaged entry is a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> PageText | None:
        """The reading stored under ``key``, if any."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return PageText(str(data["text"]), float(data["confidence"]), bool(data["vertical"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, page: PageText) -> None:
        """Store a reading; written whole or not at all (a crash leaves no half entry)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"text": page.text, "confidence": page.confidence, "vertical": page.vertical}
        text = json.dumps(data, ensure_ascii=False)
        write_whole(path, lambda temporary: temporary.write_text(text, "utf-8"))
