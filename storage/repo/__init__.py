"""Keyword-only repository functions, one module per area of the record."""
