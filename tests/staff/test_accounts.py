"""Accounts, passwords, sign-in, lockout and sessions (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sotong.db import session_scope
from sotong.staff import accounts, audit, passwords, sessions
from sotong.staff.errors import AccountExists, AccountLocked, InvalidStaffInput, LoginFailed, NotSignedIn
from sotong.staff.models import StaffAccount, StaffSession
from tests.staff.conftest import NOW, PASSWORD


def login(engine, username="kim", password=PASSWORD, now=NOW):
    """Sign in the way the console does: a failure still commits its count and audit line."""
    with session_scope(engine) as s:
        try:
            return sessions.login(s, username, password, ip="127.0.0.1", now=now)
        except (LoginFailed, AccountLocked) as exc:
            return exc


def current(engine, token, now=NOW):
    with session_scope(engine) as s:
        return sessions.current(s, token, now=now)


def test_argon2_is_the_default_and_both_kinds_verify(monkeypatch):
    monkeypatch.delenv("SOTONG_PASSWORD_HASHER")
    stored = passwords.hasher_from_env().hash("a long enough password")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "a long enough password") and not passwords.verify(stored, "wrong")
    pbkdf2 = passwords.Pbkdf2Hasher(1000).hash("a long enough password")
    assert pbkdf2.startswith("pbkdf2_sha256$1000$")
    assert passwords.verify(pbkdf2, "a long enough password") and not passwords.verify(pbkdf2, "wrong")
    assert not passwords.verify("garbage", "x") and not passwords.verify("pbkdf2_sha256$x", "x")
    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "md5")
    with pytest.raises(ValueError, match="argon2 or pbkdf2"):
        passwords.hasher_from_env()


def test_a_stored_hash_of_the_other_kind_is_upgraded_at_login(core_db, officer, monkeypatch):
    monkeypatch.delenv("SOTONG_PASSWORD_HASHER")  # the server now wants argon2
    assert isinstance(login(core_db), sessions.SignedIn)
    with session_scope(core_db) as s:
        assert accounts.find_account(s, "kim").password_hash.startswith("$argon2id$")
    assert isinstance(login(core_db), sessions.SignedIn)


def test_passwords_are_stored_hashed_and_names_checked(core_db, officer):
    with session_scope(core_db) as s:
        row = accounts.find_account(s, "kim")
        assert PASSWORD not in row.password_hash
        for bad in ("", "A", "has space", "ㄱ김", "x" * 41, "1abc"):
            with pytest.raises(InvalidStaffInput):
                accounts.create_account(s, bad, PASSWORD, role="officer", department="cleaning")
        with pytest.raises(InvalidStaffInput, match="12"):
            accounts.create_account(s, "short", "too short", role="officer", department="cleaning")
        with pytest.raises(InvalidStaffInput, match="department"):
            accounts.create_account(s, "nodept", PASSWORD, role="officer")
        with pytest.raises(InvalidStaffInput, match="unknown department"):
            accounts.create_account(s, "baddept", PASSWORD, role="officer", department="nope")
        with pytest.raises(InvalidStaffInput, match="another department"):
            accounts.create_account(s, "mixed", PASSWORD, role="officer", department="traffic", officer="cleaning-kim")
        with pytest.raises(InvalidStaffInput, match="role"):
            accounts.create_account(s, "boss", PASSWORD, role="root", department="cleaning")
        with pytest.raises(AccountExists):
            accounts.create_account(s, "KIM", PASSWORD, role="officer", department="cleaning")


def test_sign_in_and_the_audit_log(core_db, officer):
    signed = login(core_db)
    assert isinstance(signed, sessions.SignedIn) and signed.principal.username == "kim"
    active = current(core_db, signed.token)
    assert active.principal.department_code == "cleaning" and active.principal.officer_code == "cleaning-kim"
    assert sessions.check_csrf(active, signed.csrf_token) and not sessions.check_csrf(active, "forged")
    assert not sessions.check_csrf(active, None) and not sessions.check_csrf(active, "혹시")
    with session_scope(core_db) as s:
        assert s.execute(select(StaffSession.token_hash)).scalar_one() != signed.token  # stored hashed
        actions = [(e.username, e.action) for e in audit.recent(s)]
    assert ("kim", "login") in actions and ("cli", "create_account") in actions


def test_wrong_password_and_unknown_name_get_the_same_answer(core_db, officer):
    wrong, unknown = login(core_db, password="not the password"), login(core_db, username="nobody")
    assert type(wrong) is type(unknown) is LoginFailed and str(wrong) == str(unknown)
    with session_scope(core_db) as s:
        failed = [e for e in audit.recent(s) if e.action == "login_failed"]
    assert {e.username for e in failed} == {"kim", "nobody"} and all(e.ip == "127.0.0.1" for e in failed)


def test_lockout_after_five_failures_then_it_lifts(core_db, officer):
    for _ in range(sessions.MAX_FAILURES):
        assert isinstance(login(core_db, password="guess guess guess"), LoginFailed)
    locked = login(core_db)  # even the right password
    assert isinstance(locked, AccountLocked)
    assert isinstance(login(core_db, now=NOW + sessions.LOCKOUT - timedelta(seconds=1)), AccountLocked)
    assert isinstance(login(core_db, now=NOW + sessions.LOCKOUT), sessions.SignedIn)
    with session_scope(core_db) as s:
        assert accounts.find_account(s, "kim").failed_logins == 0


def test_logout_ends_this_session_only(core_db, officer):
    one, two = login(core_db), login(core_db)
    with session_scope(core_db) as s:
        sessions.logout(s, one.token)
        sessions.logout(s, one.token)  # idempotent
    with pytest.raises(NotSignedIn):
        current(core_db, one.token)
    assert current(core_db, two.token).principal.username == "kim"


def test_log_out_everywhere_disable_and_new_password_end_every_session(core_db, officer, admin):
    one, two = login(core_db), login(core_db)
    with session_scope(core_db) as s:
        accounts.log_out_everywhere(s, one.principal)
    for token in (one.token, two.token):
        with pytest.raises(NotSignedIn):
            current(core_db, token)
    three = login(core_db)
    with session_scope(core_db) as s:
        accounts.set_password(s, "kim", "another long password", by=admin)
    with pytest.raises(NotSignedIn):
        current(core_db, three.token)
    four = login(core_db, password="another long password")
    with session_scope(core_db) as s:
        accounts.set_active(s, "kim", False, by=admin)
    with pytest.raises(NotSignedIn):
        current(core_db, four.token)
    assert isinstance(login(core_db, password="another long password"), LoginFailed)  # disabled: same answer
    with session_scope(core_db) as s:
        accounts.set_active(s, "kim", True, by=admin)
        with pytest.raises(InvalidStaffInput, match="own account"):
            accounts.set_active(s, "admin", False, by=admin)
    assert isinstance(login(core_db, password="another long password"), sessions.SignedIn)


def test_sessions_end_when_idle_or_too_old(core_db, officer):
    signed = login(core_db)
    with pytest.raises(NotSignedIn):
        current(core_db, signed.token, now=NOW + sessions.IDLE)
    signed = login(core_db)
    moment = NOW
    while moment + sessions.IDLE / 2 < NOW + sessions.MAX_AGE:  # active all day
        moment += sessions.IDLE / 2
        current(core_db, signed.token, now=moment)
    with pytest.raises(NotSignedIn):
        current(core_db, signed.token, now=NOW + sessions.MAX_AGE)


@pytest.mark.parametrize("token", [None, "", "x" * 500, "forged-session-id"])
def test_missing_or_forged_cookies_are_not_a_session(core_db, officer, token):
    with pytest.raises(NotSignedIn):
        current(core_db, token)


def test_a_changed_nonce_in_the_database_is_what_counts(core_db, officer):
    signed = login(core_db)
    with session_scope(core_db) as s:
        s.execute(select(StaffAccount).where(StaffAccount.username == "kim")).unique().scalar_one().session_nonce = "x"
    with pytest.raises(NotSignedIn):
        current(core_db, signed.token)
