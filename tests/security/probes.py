"""What the security probes read from the machine: listening sockets and process command lines (Linux /proc)."""

from __future__ import annotations

import re
from pathlib import Path

from devkit.procs import children, command_line

__all__ = ["UNMASKED_PHONE", "children", "command_lines", "listening_addresses"]

# A mobile number as a resident types it; a masked one (010-****-5678) never matches.
UNMASKED_PHONE = re.compile(r"(?<![\w.])01[016789][-. ]?\d{3,4}[-. ]?\d{4}(?!\d)")


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket LISTENs on at ``port`` ("127.0.0.1", "0.0.0.0", "::", …)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            found.add(_address(addr_hex, width))
    return found


def _address(addr_hex: str, width: int) -> str:
    if width == 8:
        return ".".join(str(b) for b in reversed(bytes.fromhex(addr_hex)))
    if addr_hex == "0" * 32:
        return "::"
    words = [bytes.fromhex(addr_hex[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
    if words[:3] == ["00000000", "00000000", "0000ffff"]:  # ::ffff:a.b.c.d
        return ".".join(str(b) for b in bytes.fromhex(words[3]))
    return ":".join(w[i : i + 4] for w in words for i in (0, 4))


def command_lines() -> dict[int, str]:
    """Every readable process's command line, as `ps` would show it."""
    lines: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            raw = command_line(int(entry.name))
            lines[int(entry.name)] = raw.replace(b"\0", b" ").decode("utf-8", "replace")
    return lines
