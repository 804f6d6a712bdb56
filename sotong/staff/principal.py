"""Who is signed in, as plain frozen data the adapters can hold after the session closes."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
OFFICER = "officer"
TRAINER = "trainer"
ROLES = (ADMIN, OFFICER, TRAINER)


@dataclass(frozen=True)
class StaffPrincipal:
    account_id: int
    username: str
    display_name: str
    role: str
    department_code: str | None  # None for an admin: every department
    department_name: str | None
    officer_code: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def works_complaints(self) -> bool:
        """Admins and officers work the queue; trainers look after the bot's answers."""
        return self.role in (ADMIN, OFFICER)

    def sees_department(self, code: str | None) -> bool:
        return self.is_admin or (code is not None and code == self.department_code)


@dataclass(frozen=True)
class AccountView:
    id: int
    username: str
    display_name: str
    role: str
    department_code: str | None
    department_name: str | None
    officer_code: str | None
    active: bool
    locked: bool
    last_login_at: object  # naive UTC datetime or None
