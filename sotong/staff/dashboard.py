"""The dashboard's figures for one signed-in staff member: an admin sees every
department, an officer their own (the queue's scope), a trainer none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from sotong.complaints import stats
from sotong.staff.errors import Forbidden
from sotong.staff.principal import StaffPrincipal


def figures(session: Session, who: StaffPrincipal, now: datetime | None = None) -> stats.Figures:
    """Forbidden for a role that does not work complaints. Not audited: no personal data."""
    if not who.works_complaints:
        raise Forbidden("this role does not work complaints")
    return stats.compute(session, department=None if who.is_admin else who.department_code, now=now)
