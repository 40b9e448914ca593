"""Ticket systems the adapter can drive."""
