"""Wiring shared by the EOSC-compatible API under /api/v1."""
