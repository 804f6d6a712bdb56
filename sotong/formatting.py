"""Small, channel-neutral formatting of data values (money, dates, lists).

Sentences belong in the response files; these only render values that are
slotted into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

_WEEKDAYS = "월화수목금토일"


def won(amount: int) -> str:
    return f"{amount:,}원"


def korean_date(day: date) -> str:
    """2026-11-26 -> '11월 26일(목)'."""
    return f"{day.month}월 {day.day}일({_WEEKDAYS[day.weekday()]})"


def bullet_lines(items: Iterable[str]) -> str:
    return "\n".join(f"• {item}" for item in items)
