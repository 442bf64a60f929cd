"""Benchmarks: `make bench` prints each figure beside its goal and writes .bench/results.json."""
