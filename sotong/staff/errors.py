"""Errors of the staff core. Each has a stable ``code``; adapters word the answer
(the console in Korean templates, the JSON API as ``{"error": {...}}``)."""

from __future__ import annotations


class StaffError(Exception):
    code = "staff_error"


class InvalidStaffInput(StaffError, ValueError):
    """A bad username, password, role or department; ``field`` names it."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class LoginFailed(StaffError):
    """Wrong name or password, or a disabled account: deliberately one answer for all."""

    code = "login_failed"


class AccountLocked(StaffError):
    """Too many wrong passwords in a row; ``until`` is naive UTC."""

    code = "account_locked"

    def __init__(self, until):
        super().__init__(f"locked until {until:%Y-%m-%d %H:%M} UTC")
        self.until = until


class NotSignedIn(StaffError):
    """No session, or one that ended (logged out, expired, revoked, account disabled)."""

    code = "not_signed_in"


class Forbidden(StaffError):
    """Signed in, but the role does not allow this."""

    code = "forbidden"


class EditConflict(StaffError):
    """Someone else changed the complaint since this officer loaded it."""

    code = "edit_conflict"

    def __init__(self, receipt_no: str, status: str):
        super().__init__(f"{receipt_no} was changed by someone else meanwhile (now {status}); reload and try again")
        self.receipt_no = receipt_no
        self.status = status


class AccountExists(StaffError):
    code = "account_exists"

    def __init__(self, username: str):
        super().__init__(f"an account named {username!r} already exists")
        self.username = username
