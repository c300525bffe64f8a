"""OCR for scanned paper: when a page needs it, and reading it with Debian's Tesseract."""
