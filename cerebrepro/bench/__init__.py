"""Benchmarks: how build, simulate, collect and write times grow with network size and model time."""
