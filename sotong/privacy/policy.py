"""What the district promised residents about their data (profile ``privacy:``), as numbers.

SOTONG_RETENTION_DAYS   overrides ``privacy.retention_days`` (default 365)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sotong.district import load_profile

DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class PrivacyPolicy:
    retention_days: int
    template_code: str  # 알림톡 template of the verification code
    template_text: str  # its text with #{code}, also the SMS fallback
    code_minutes: int  # a code expires after this
    max_attempts: int  # wrong codes before it is void


def _positive_int(value, name: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number of days, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be at least 1, not {number}")
    return number


def privacy_policy() -> PrivacyPolicy:
    section = load_profile().section("privacy")
    days = os.environ.get("SOTONG_RETENTION_DAYS", "").strip()
    template = section.get("verification_template") or {}
    return PrivacyPolicy(
        retention_days=_positive_int(days, "SOTONG_RETENTION_DAYS")
        if days
        else _positive_int(section.get("retention_days", DEFAULT_RETENTION_DAYS), "privacy.retention_days"),
        template_code=str(template.get("code") or "SOTONG_VERIFY_01"),
        template_text=str(template.get("text") or "#{code}"),
        code_minutes=_positive_int(section.get("verification_minutes", 10), "privacy.verification_minutes"),
        max_attempts=_positive_int(section.get("verification_attempts", 5), "privacy.verification_attempts"),
    )
