"""Catalogue pages: browsing, managing offers, and the OMS registry."""
