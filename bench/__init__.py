"""Benchmarks: each prints a table. They measure; tests assert behaviour, never speed."""
