"""Developer kit: what the end-to-end tests and the benchmarks share.

Not part of the product (nothing under sotong/, actions/, connectors/ or web/ imports it):
starting a real stack (stack.py), a bare NLU server (nlu_server.py), child processes
(procs.py), timing and memory figures (timing.py), the machine a figure was taken on
(machine.py) and the marked blocks of docs/benchmarks.md (benchdoc.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The checkout this kit lives in, wherever it was cloned.
ROOT = Path(__file__).resolve().parent.parent
# The interpreter's own bin directory (the venv running us): `rasa` and `python` come from there.
BIN = Path(sys.executable).parent
