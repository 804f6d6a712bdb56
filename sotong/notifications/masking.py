"""Phone numbers never reach a log line in full: 01012345678 -> 010-****-5678."""

from __future__ import annotations

import logging
import re

# 0 + area/mobile prefix, middle 3-4 digits, last 4; separators optional.
_PHONE = re.compile(r"(?<!\d)(0\d{1,2})[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}-****-{digits[-4:]}"


def mask_phones(text: str) -> str:
    """Mask every phone-like number inside free text."""
    return _PHONE.sub(lambda m: f"{m.group(1)}-****-{m.group(3)}", text or "")


class PhoneMaskingFilter(logging.Filter):
    """Attach to a handler so even a careless log call cannot print a full number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_phones(record.getMessage())
        record.args = ()
        return True
