"""Benchmarks: one module per suite, each writing build/bench/<suite>.json via journey_guard.quality.bench."""
