"""The WStore-compatible API under /api/ (reference §4)."""
