"""The audit log: every staff action and every view of a resident's personal data.

Written in the same transaction as the action, so a logged action happened and an
action that happened is logged. Free text is cut to its column; phone numbers in the
detail are masked (the log outlives the complaint's retention period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.notifications.masking import mask_phones
from sotong.staff.models import StaffAuditEntry
from sotong.staff.principal import StaffPrincipal

MAX_DETAIL = 1000


@dataclass(frozen=True)
class AuditView:
    at: datetime
    username: str
    action: str
    target: str | None
    detail: str | None
    ip: str | None


def _clean(text: str) -> str:
    """No control characters (PostgreSQL refuses NUL; a newline would forge a log line elsewhere)."""
    return "".join(ch if ch >= " " or ch == "\n" else "?" for ch in text)


def record(
    session: Session,
    who: StaffPrincipal | None,
    action: str,
    *,
    target: str | None = None,
    detail: str | None = None,
    ip: str | None = None,
    username: str | None = None,
    now: datetime | None = None,
) -> None:
    """One line; ``username`` is for an attempt by nobody known (a failed login)."""
    session.add(
        StaffAuditEntry(
            at=to_db(now or now_utc()),
            account_id=who.account_id if who else None,
            username=_clean(who.username if who else (username or "?"))[:40],
            action=action[:40],
            target=_clean(target)[:100] if target else None,
            detail=_clean(mask_phones(detail))[:MAX_DETAIL] if detail else None,
            ip=ip[:64] if ip else None,
        )
    )


def recent(session: Session, *, limit: int = 200, target: str | None = None) -> list[AuditView]:
    stmt = select(StaffAuditEntry).order_by(StaffAuditEntry.id.desc()).limit(limit)
    if target is not None:
        stmt = stmt.where(StaffAuditEntry.target == target)
    return [
        AuditView(e.at, e.username, e.action, e.target, e.detail, e.ip) for e in session.execute(stmt).scalars().all()
    ]
