"""Providers' services and their offers, with typed technical parameters."""
