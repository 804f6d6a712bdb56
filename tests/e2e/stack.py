"""The stack harness moved to devkit/stack.py (shared with the benchmarks); kept so tests import it from here."""

from devkit.stack import BIN, MODEL, ROOT, RasaStack, _tail, free_port, texts  # noqa: F401
