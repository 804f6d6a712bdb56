"""The complaint lifecycle: every status and the one table of allowed transitions.

접수 → 부서 배정 → 담당자 지정 → 현장 확인 중 → 심사 중 → 처리 완료, plus 취하 (cancelled by the
resident), 반려 (rejected, with reason and how to appeal) and 이송 (transferred to another
department, which then names an officer as after 부서 배정). Anything not in
``ALLOWED_TRANSITIONS`` is refused with ``TransitionRefused``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sotong.complaints.errors import InvalidComplaintInput, TransitionRefused


class ComplaintStatus(str, Enum):
    """Stored as the lower-case value; Korean labels live in district complaints.yml."""

    RECEIVED = "received"  # 접수
    ASSIGNED = "assigned"  # 부서 배정
    OFFICER_ASSIGNED = "officer_assigned"  # 담당자 지정
    ON_SITE_CHECK = "on_site_check"  # 현장 확인 중
    UNDER_REVIEW = "under_review"  # 심사 중
    COMPLETED = "completed"  # 처리 완료
    CANCELLED = "cancelled"  # 취하 (by the resident)
    REJECTED = "rejected"  # 반려
    TRANSFERRED = "transferred"  # 이송 (to another department)

    @classmethod
    def parse(cls, value: "str | ComplaintStatus") -> "ComplaintStatus":
        """Accept 'on_site_check', 'ON_SITE_CHECK' or 'on-site-check'; otherwise
        InvalidComplaintInput on field ``status`` (a ValueError too) naming the known ones."""
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower().replace("-", "_"))
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise InvalidComplaintInput("status", f"unknown status {value!r}; one of {known}") from None


S = ComplaintStatus
_WITHDRAW_OR_STOP = {S.CANCELLED, S.REJECTED}

# The whole state machine. Read a row as "from this status, these may follow".
ALLOWED_TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.RECEIVED: frozenset({S.ASSIGNED} | _WITHDRAW_OR_STOP),
    S.ASSIGNED: frozenset({S.OFFICER_ASSIGNED, S.TRANSFERRED} | _WITHDRAW_OR_STOP),
    # OFFICER_ASSIGNED -> OFFICER_ASSIGNED: the officer changes (leave, workload).
    S.OFFICER_ASSIGNED: frozenset({S.OFFICER_ASSIGNED, S.ON_SITE_CHECK, S.TRANSFERRED} | _WITHDRAW_OR_STOP),
    S.ON_SITE_CHECK: frozenset({S.UNDER_REVIEW, S.TRANSFERRED} | _WITHDRAW_OR_STOP),
    # UNDER_REVIEW -> ON_SITE_CHECK: the review asks for another look on site.
    S.UNDER_REVIEW: frozenset({S.COMPLETED, S.ON_SITE_CHECK, S.TRANSFERRED} | _WITHDRAW_OR_STOP),
    # After 이송 the new department names an officer, as after 부서 배정.
    S.TRANSFERRED: frozenset({S.OFFICER_ASSIGNED, S.TRANSFERRED} | _WITHDRAW_OR_STOP),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}

CLOSED: frozenset[ComplaintStatus] = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)

# Only the resident withdraws (취하); officers reject instead.
RESIDENT_ONLY: frozenset[ComplaintStatus] = frozenset({S.CANCELLED})

# Statuses in which the resident may still fix the address or description: the
# officer has not gone on site yet (see service.correct for the history check).
CORRECTABLE: frozenset[ComplaintStatus] = frozenset({S.RECEIVED, S.ASSIGNED, S.OFFICER_ASSIGNED, S.TRANSFERRED})


# A correction is announced like a stage but changes no status.
CORRECTED = "corrected"
# Every stage a resident is told about, in lifecycle order: each needs a message template.
STAGES: tuple[str, ...] = tuple(s.value for s in ComplaintStatus) + (CORRECTED,)


def can_transition(current: ComplaintStatus, target: ComplaintStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def check_transition(current: ComplaintStatus, target: ComplaintStatus) -> None:
    """Raise TransitionRefused unless the table allows current -> target."""
    if not can_transition(current, target):
        raise TransitionRefused(current.value, target.value)


def staff_next_statuses(status: Any) -> list[str]:
    """What staff may move a complaint to from ``status``, in lifecycle order (취하 is the
    resident's); [] for an unknown status."""
    try:
        current = ComplaintStatus.parse(status)
    except InvalidComplaintInput:
        return []
    allowed = ALLOWED_TRANSITIONS[current] - RESIDENT_ONLY
    return [s.value for s in ComplaintStatus if s in allowed]
