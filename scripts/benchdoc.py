"""Moved to devkit/benchdoc.py; kept until scripts/bench_understanding.py imports it from there."""

from devkit.benchdoc import replace_block  # noqa: F401
