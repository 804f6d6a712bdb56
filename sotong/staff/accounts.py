"""Staff accounts: create, list, disable, change password, log out everywhere.

Usernames are lower-case ASCII (``kim.minsu``), passwords at least 12 characters.
Officers and trainers belong to one department; an admin to none (every department).
An officer account may be linked to the ``officer`` row residents are told about.
Changing the session nonce (disable, new password, log out everywhere) ends every
browser session of the account; a disabled account's API tokens stop working too.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sotong.complaints import queries
from sotong.complaints.errors import UnknownReference
from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.errors import AccountExists, InvalidStaffInput
from sotong.staff.models import StaffAccount, StaffSession
from sotong.staff.passwords import hasher_from_env
from sotong.staff.principal import ADMIN, ROLES, AccountView, StaffPrincipal

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256  # argon2 takes any length; this only keeps a hostile form small
MAX_DISPLAY_NAME = 60


def new_nonce() -> str:
    return secrets.token_hex(16)


def clean_username(raw: str) -> str:
    name = (raw or "").strip().lower()
    if not USERNAME.match(name):
        raise InvalidStaffInput(
            "username", "2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter"
        )
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidStaffInput("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidStaffInput("password", f"at most {MAX_PASSWORD} characters")
    return password


def _display_name(raw: str | None, username: str) -> str:
    name = (raw or "").strip() or username
    if len(name) > MAX_DISPLAY_NAME or any(ord(ch) < 32 for ch in name):
        raise InvalidStaffInput("display_name", f"at most {MAX_DISPLAY_NAME} characters, no control characters")
    return name


def create_account(
    session: Session,
    username: str,
    password: str,
    *,
    role: str,
    display_name: str | None = None,
    department: str | None = None,
    officer: str | None = None,
    by: StaffPrincipal | None = None,
    now: datetime | None = None,
) -> AccountView:
    """A new account. ``by`` is the admin making it (None: the CLI, for the first admin)."""
    name = clean_username(username)
    check_password(password)
    if role not in ROLES:
        raise InvalidStaffInput("role", f"one of {', '.join(ROLES)}")
    if role != ADMIN and not department:
        raise InvalidStaffInput("department", "officers and trainers belong to a department")
    try:
        dept = queries.department(session, department) if department else None
        off = queries.officer(session, officer) if officer else None
    except UnknownReference as exc:
        raise InvalidStaffInput(exc.kind, f"unknown {exc.kind} {exc.ref!r}") from None
    if role == ADMIN:
        dept = None  # an admin sees every department
    if off is not None and dept is not None and off.department_id != dept.id:
        raise InvalidStaffInput("officer", "the officer works in another department")
    if session.execute(select(StaffAccount.id).where(StaffAccount.username == name)).first():
        raise AccountExists(name)
    at = to_db(now or now_utc())
    account = StaffAccount(
        username=name,
        display_name=_display_name(display_name, name),
        role=role,
        department=dept,
        officer=off,
        password_hash=hasher_from_env().hash(password),
        session_nonce=new_nonce(),
        active=True,
        failed_logins=0,
        created_at=at,
        updated_at=at,
    )
    session.add(account)
    session.flush()
    audit.record(session, by, "create_account", target=name, detail=f"role {role}", username="cli", now=now)
    return account_view(account, now)


def account_view(account: StaffAccount, now: datetime | None = None) -> AccountView:
    at = to_db(now or now_utc())
    return AccountView(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        department_code=account.department.code if account.department else None,
        department_name=account.department.name if account.department else None,
        officer_code=account.officer.code if account.officer else None,
        active=bool(account.active),
        locked=account.locked_until is not None and account.locked_until > at,
        last_login_at=account.last_login_at,
    )


def principal_of(account: StaffAccount) -> StaffPrincipal:
    return StaffPrincipal(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        department_code=account.department.code if account.department else None,
        department_name=account.department.name if account.department else None,
        officer_code=account.officer.code if account.officer else None,
    )


def list_accounts(session: Session) -> list[AccountView]:
    rows = session.execute(select(StaffAccount).order_by(StaffAccount.username)).unique().scalars().all()
    return [account_view(a) for a in rows]


def find_account(session: Session, username: str) -> StaffAccount:
    name = (username or "").strip().lower()
    found = session.execute(select(StaffAccount).where(StaffAccount.username == name)).unique().scalar_one_or_none()
    if found is None:
        raise InvalidStaffInput("username", f"no account named {name!r}")
    return found


def set_active(
    session: Session, username: str, active: bool, *, by: StaffPrincipal | None = None, now: datetime | None = None
) -> AccountView:
    """Disable (every session and token stops working at once) or enable again."""
    account = find_account(session, username)
    if by is not None and by.account_id == account.id and not active:
        raise InvalidStaffInput("username", "you cannot disable your own account")
    account.active = active
    account.failed_logins = 0
    account.locked_until = None
    _end_sessions(session, account, to_db(now or now_utc()))
    audit.record(
        session, by, "enable_account" if active else "disable_account", target=account.username, username="cli"
    )
    return account_view(account, now)


def set_password(
    session: Session, username: str, password: str, *, by: StaffPrincipal | None = None, now: datetime | None = None
) -> None:
    """A new password ends every session of the account (a stolen cookie stops working)."""
    account = find_account(session, username)
    account.password_hash = hasher_from_env().hash(check_password(password))
    account.failed_logins = 0
    account.locked_until = None
    _end_sessions(session, account, to_db(now or now_utc()))
    audit.record(session, by, "set_password", target=account.username, username="cli", now=now)


def _end_sessions(session: Session, account: StaffAccount, at: datetime) -> None:
    """New nonce (what every session check compares) and every open session marked revoked."""
    account.session_nonce = new_nonce()
    account.updated_at = at
    session.execute(
        update(StaffSession)
        .where(StaffSession.account_id == account.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )


def log_out_everywhere(session: Session, who: StaffPrincipal, *, ip: str | None = None) -> None:
    account = session.get(StaffAccount, who.account_id)
    if account is None:
        return
    _end_sessions(session, account, to_db(now_utc()))
    audit.record(session, who, "logout_everywhere", target=who.username, ip=ip)
