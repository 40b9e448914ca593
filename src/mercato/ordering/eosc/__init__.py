"""The EOSC Ordering API (reference §3)."""
