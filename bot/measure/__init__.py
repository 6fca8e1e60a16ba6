"""Measurement: held-out accuracy, the benchmark, and the launcher that tests and benchmarks use."""
