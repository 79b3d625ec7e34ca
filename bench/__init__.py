"""Benchmarks: ``make bench`` (``python -m bench``) seeds data and prints one JSON line each."""
