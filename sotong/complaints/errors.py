"""Domain errors. Each carries a stable ``code`` the dialogue layer and the web app map
to their own wording; messages here are English, for logs and staff tools.

Bad input is always ``InvalidComplaintInput`` with the ``field`` and, for a length or
count, the ``limit`` — an adapter words its answer from those two, never from its own
copy of a limit.
"""

from __future__ import annotations


class ComplaintError(Exception):
    code = "complaint_error"


class ComplaintNotFound(ComplaintError):
    """Unknown receipt number, or one that belongs to someone else (deliberately the same)."""

    code = "complaint_not_found"

    def __init__(self, receipt_no: str):
        super().__init__(f"no such complaint: {receipt_no}")
        self.receipt_no = receipt_no


class TransitionRefused(ComplaintError):
    code = "transition_refused"

    def __init__(self, from_status: str, to_status: str, reason: str = "not an allowed transition"):
        super().__init__(f"cannot move a complaint from {from_status} to {to_status}: {reason}")
        self.from_status = from_status
        self.to_status = to_status
        self.reason = reason


class CorrectionNotAllowed(ComplaintError):
    code = "correction_not_allowed"

    def __init__(self, status: str):
        super().__init__(f"a complaint can no longer be corrected once on site (status {status})")
        self.status = status


class InvalidComplaintInput(ComplaintError, ValueError):
    """A field is missing, too long or malformed; ``field`` names it, ``limit`` is the
    bound it broke (characters, or None when the problem is not a length).

    Also a ValueError, so code that parsed values with ``except ValueError`` keeps working.
    """

    code = "invalid_input"

    def __init__(self, field: str, problem: str, *, limit: int | None = None):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.limit = limit


class TooLong(InvalidComplaintInput):
    """A text over its limit (sotong.complaints.limits)."""

    def __init__(self, field: str, limit: int):
        super().__init__(field, f"at most {limit} characters", limit=limit)


class UnknownReference(ComplaintError):
    """An unknown category, department or officer code."""

    code = "unknown_reference"

    def __init__(self, kind: str, code: str):
        super().__init__(f"unknown {kind}: {code}")
        self.kind = kind
        self.ref = code


class FilingLimitReached(ComplaintError):
    """The resident filed as many complaints as ``window`` ("hour" or "day") allows."""

    code = "filing_limit_reached"

    def __init__(self, window: str, limit: int):
        super().__init__(f"at most {limit} complaints per {window}")
        self.window = window
        self.limit = limit
