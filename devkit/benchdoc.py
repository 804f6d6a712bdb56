"""docs/benchmarks.md holds one block per benchmark between its own markers; each
benchmark rewrites only its block, so they can run separately."""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The start and end markers of benchmark ``name``'s block."""
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def replace_block(path: Path, start: str, end: str, block: str) -> None:
    """Put ``block`` (which includes its markers) in place of the old one, or append it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in old and end in old and old.index(start) < old.index(end):
        head, rest = old.split(start, 1)
        _, tail = rest.split(end, 1)
        new = head + block.rstrip("\n") + tail
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new, encoding="utf-8")


def meets(value: float | None, op: str, threshold: float) -> bool | None:
    """Whether a figure meets a target ``<op> <threshold>`` (op one of >=, >, <=, <); None if not measured."""
    if value is None:
        return None
    return {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold, "<": value < threshold}[op]
