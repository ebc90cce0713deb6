"""Institutional accounts, staff users and their roles, alliances, API tokens."""
