"""Benchmarks (`make bench`): each measures our path against a raw ceiling in the same run."""
