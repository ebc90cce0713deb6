"""Occupations: China's occupational classification (2022 edition) and others imported from files,
with their aliases, each import's provenance, and the search over names and aliases."""
