"""Mercato: a service marketplace with order management."""
