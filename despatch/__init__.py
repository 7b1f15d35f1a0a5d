"""Despatch: a publishing platform for public diplomacy."""
