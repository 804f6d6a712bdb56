"""`sotong staff ...`: the first admin, and accounts and API tokens from the command line.

    sotong staff create-admin admin --name "관리자"          # asks for the password twice
    echo "$PW" | sotong staff create kim --role officer --department cleaning \
        --officer cleaning-kim --password-stdin
    sotong staff list | disable kim | enable kim | password kim
    sotong staff token create kim --label "민원 연동" | token list | token revoke 3

Passwords are never taken from the command line (they would sit in the shell history
and in ``ps``): a prompt, or one line on stdin with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys

from sotong.db import session_scope
from sotong.staff import accounts, tokens
from sotong.staff.errors import StaffError
from sotong.staff.principal import ADMIN, ROLES


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password (12+ characters): ")
    if getpass.getpass("again: ") != first:
        raise StaffError("the two passwords differ")
    return first


def _fail(exc: StaffError) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 1


def _create(args, role: str) -> int:
    try:
        password = _password(args)
        with session_scope() as s:
            view = accounts.create_account(
                s,
                args.username,
                password,
                role=role,
                display_name=args.name,
                department=getattr(args, "department", None),
                officer=getattr(args, "officer", None),
            )
    except StaffError as exc:
        return _fail(exc)
    where = view.department_name or "every department"
    print(f"created {view.role} {view.username} ({view.display_name}, {where})")
    return 0


def _list(args) -> int:
    with session_scope() as s:
        rows = accounts.list_accounts(s)
    for a in rows:
        state = "active" if a.active else "disabled"
        state += ", locked" if a.locked else ""
        print(f"{a.username:<20} {a.role:<8} {a.department_code or '-':<12} {a.officer_code or '-':<16} {state}")
    return 0


def _set_active(args, active: bool) -> int:
    try:
        with session_scope() as s:
            view = accounts.set_active(s, args.username, active)
    except StaffError as exc:
        return _fail(exc)
    print(f"{view.username} is now {'active' if active else 'disabled (every session ended)'}")
    return 0


def _set_password(args) -> int:
    try:
        password = _password(args)
        with session_scope() as s:
            accounts.set_password(s, args.username, password)
    except StaffError as exc:
        return _fail(exc)
    print(f"password of {args.username} changed; its sessions have ended")
    return 0


def _token_create(args) -> int:
    try:
        with session_scope() as s:
            issued = tokens.issue(s, args.username, args.label)
    except StaffError as exc:
        return _fail(exc)
    print(f"token {issued.id} for {args.username} ({issued.label}); shown only now:", file=sys.stderr)
    print(issued.token)
    return 0


def _token_list(args) -> int:
    with session_scope() as s:
        rows = tokens.list_tokens(s, args.username)
    for t in rows:
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        state = "revoked" if t.revoked else used
        print(f"{t.id:>4}  {t.username:<20} {t.prefix}…  {t.label}  ({state})")
    return 0


def _token_revoke(args) -> int:
    try:
        with session_scope() as s:
            view = tokens.revoke(s, args.id)
    except StaffError as exc:
        return _fail(exc)
    print(f"token {view.id} of {view.username} revoked")
    return 0


def register(subparsers) -> None:
    staff = subparsers.add_parser("staff", help="staff accounts of the console and their API tokens")
    sub = staff.add_subparsers(dest="staff_command", required=True)

    def with_password(p):
        p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
        return p

    admin = with_password(sub.add_parser("create-admin", help="make an admin account (the first one, too)"))
    admin.add_argument("username")
    admin.add_argument("--name", help="name shown in the console (default: the username)")
    admin.set_defaults(func=lambda a: _create(a, ADMIN))

    create = with_password(sub.add_parser("create", help="make an officer or trainer account"))
    create.add_argument("username")
    create.add_argument("--role", choices=[r for r in ROLES if r != ADMIN], default="officer")
    create.add_argument("--department", required=True, help="department code (see district complaints.yml)")
    create.add_argument("--officer", help="officer code residents are told about (officers)")
    create.add_argument("--name", help="name shown in the console")
    create.set_defaults(func=lambda a: _create(a, a.role))

    sub.add_parser("list", help="every account").set_defaults(func=_list)
    for name, active in (("disable", False), ("enable", True)):
        p = sub.add_parser(name, help=f"{name} an account" + ("; ends its sessions" if not active else ""))
        p.add_argument("username")
        p.set_defaults(func=lambda a, active=active: _set_active(a, active))
    pw = with_password(sub.add_parser("password", help="set a new password; ends the account's sessions"))
    pw.add_argument("username")
    pw.set_defaults(func=_set_password)

    tok = sub.add_parser("token", help="per-officer tokens for the staff JSON API")
    tsub = tok.add_subparsers(dest="token_command", required=True)
    tc = tsub.add_parser("create", help="a new token (printed once)")
    tc.add_argument("username")
    tc.add_argument("--label", required=True, help="what the token is for")
    tc.set_defaults(func=_token_create)
    tl = tsub.add_parser("list", help="tokens (never their secret)")
    tl.add_argument("username", nargs="?")
    tl.set_defaults(func=_token_list)
    tr = tsub.add_parser("revoke", help="stop a token working")
    tr.add_argument("id", type=int)
    tr.set_defaults(func=_token_revoke)
