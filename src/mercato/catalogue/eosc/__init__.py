"""The EOSC Offering API (reference §6)."""
