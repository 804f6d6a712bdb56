"""An officer's own account (sotong.staff.own), on SQLite and PostgreSQL: a new password needs
the old one and signs out every other browser but this one; wrong old passwords lock the
account; one's own browsers listed and ended, another officer's never."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotong.db import session_scope
from sotong.staff import audit, own, passwords, sessions
from sotong.staff.errors import AccountLocked, InvalidStaffInput, LoginFailed, NotSignedIn
from sotong.staff.models import StaffAccount
from tests.staff.conftest import NOW, PASSWORD, make_account

NEW = "a brand new passphrase"


def sign_in(engine, username="kim", password=PASSWORD, now=NOW, agent="Chromium test"):
    with session_scope(engine) as s:
        signed = sessions.login(s, username, password, ip="10.0.0.7", user_agent=agent, now=now)
    with session_scope(engine) as s:
        return signed.token, sessions.current(s, signed.token, now=now)


def still_in(engine, token, now=NOW) -> bool:
    try:
        with session_scope(engine) as s:
            sessions.current(s, token, now=now)
        return True
    except NotSignedIn:
        return False


def change(engine, active, old, new, now=NOW):
    with session_scope(engine) as s:
        try:
            return own.change_password(s, active, old, new, ip="10.0.0.7", now=now)
        except InvalidStaffInput as exc:  # caught inside the transaction, as the console does
            return exc


def test_a_new_password_keeps_this_browser_and_signs_out_the_others(core_db):
    make_account(core_db, "kim")
    here_token, here = sign_in(core_db)
    there_token, _ = sign_in(core_db, agent="Phone")
    assert change(core_db, here, PASSWORD, NEW) == 1
    assert still_in(core_db, here_token) and not still_in(core_db, there_token)
    with session_scope(core_db) as s:
        stored = s.query(StaffAccount).filter_by(username="kim").one().password_hash
        assert passwords.verify(stored, NEW) and not passwords.verify(stored, PASSWORD)
        assert "change_own_password" in [e.action for e in audit.recent(s)]
    with session_scope(core_db) as s:  # the old password no longer signs in
        with pytest.raises(LoginFailed):
            sessions.login(s, "kim", PASSWORD, now=NOW)
    assert sign_in(core_db, password=NEW)[1].principal.username == "kim"


def test_wrong_old_password_short_or_same_new_one(core_db):
    make_account(core_db, "kim")
    token, active = sign_in(core_db)
    assert change(core_db, active, "not my password", NEW).field == "old_password"
    assert change(core_db, active, PASSWORD, "short").field == "password"
    assert change(core_db, active, PASSWORD, PASSWORD).field == "password"
    assert change(core_db, active, PASSWORD, "x" * 10_000).field == "password"
    assert still_in(core_db, token)


def test_five_wrong_old_passwords_lock_the_account_and_end_every_session(core_db):
    make_account(core_db, "kim")
    token, active = sign_in(core_db)
    for _ in range(sessions.MAX_FAILURES):
        assert change(core_db, active, "guess guess guess", NEW).field == "old_password"
    assert not still_in(core_db, token)
    with session_scope(core_db) as s:
        with pytest.raises(AccountLocked):
            sessions.login(s, "kim", PASSWORD, now=NOW + timedelta(minutes=1))


def test_own_browsers_listed_and_ended_never_another_officers(core_db):
    make_account(core_db, "kim")
    make_account(core_db, "lee")
    _, here = sign_in(core_db)
    phone_token, phone = sign_in(core_db, agent="Phone\x00\x1b[31m")
    lee_token, lee = sign_in(core_db, "lee")
    with session_scope(core_db) as s:
        mine = own.list_sessions(s, here, now=NOW)
    assert sorted(b.id for b in mine) == sorted([here.session_id, phone.session_id])
    assert [b.current for b in mine if b.id == here.session_id] == [True]
    assert {b.user_agent for b in mine} == {"Chromium test", "Phone[31m"}  # control characters dropped
    assert {b.ip for b in mine} == {"10.0.0.7"}
    with session_scope(core_db) as s, pytest.raises(own.SessionNotFound):
        own.end_session(s, here, lee.session_id)
    assert still_in(core_db, lee_token)
    with session_scope(core_db) as s:
        assert own.end_session(s, here, phone.session_id) is False
    assert not still_in(core_db, phone_token)
    with session_scope(core_db) as s, pytest.raises(own.SessionNotFound):
        own.end_session(s, here, phone.session_id)  # already ended
    with session_scope(core_db) as s:  # an idle session is not listed
        assert [b.id for b in own.list_sessions(s, here, now=NOW + sessions.IDLE)] == []
