"""The WStore-compatible API of commerce, under /api/ (store-wire.md §10)."""
