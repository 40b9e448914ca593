"""Selling: currencies, price units, tax rates, price plans and the charges they make."""
