"""Benchmarks (``make bench``); results go to ``docs/PERFORMANCE.md``."""
