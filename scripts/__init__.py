"""Command-line entry points: the `fergana` command and benchmarks."""
