"""Receipt numbers (접수번호): short, unique, not guessable in sequence.

Eight characters drawn with ``secrets`` from an alphabet without look-alikes
(no 0/O, 1/I/L), shown as XXXX-XXXX: 31**8 ≈ 8.5e11 possibilities, so knowing one
receipt number tells nothing about anyone else's. Uniqueness is the database's job
(unique constraint); the service retries on the rare collision.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
_PATTERN = re.compile(f"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def new_receipt_no() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_receipt_no(text: str | None) -> str | None:
    """What a resident typed ('abcd 2345', 'ABCD-2345') -> 'ABCD-2345', or None if it can't be one."""
    if not text:
        return None
    raw = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if len(raw) != LENGTH:
        return None
    candidate = f"{raw[:4]}-{raw[4:]}"
    return candidate if _PATTERN.match(candidate) else None


def is_receipt_no(text: str) -> bool:
    return bool(_PATTERN.match(text or ""))


_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})[-\s]?([0-9A-Za-z]{4})(?![0-9A-Za-z])")


def find_receipt_no(text: str | None) -> str | None:
    """The first receipt number written anywhere in a message ('S7K2-9QXM 조회해 주세요')."""
    for match in _IN_TEXT.finditer(text or ""):
        found = normalize_receipt_no(match.group(1) + match.group(2))
        if found:
            return found
    return None
