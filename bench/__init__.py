"""Benchmarks anyone can run; each writes a results table under ``docs/``."""
