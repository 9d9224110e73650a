"""Helpers the tests and the benchmarks import: builders, fakes, constants. Fixtures live in tests/plugins."""
