"""`sotong staff ...` as an operator runs it (the real CLI entry point, real database)."""

from __future__ import annotations

import io

import pytest

import sotong.cli
from sotong.db import session_scope
from sotong.staff import sessions
from tests.staff.conftest import PASSWORD


@pytest.fixture
def run(core_db, monkeypatch, capsys):
    # Until sotong/cli.py lists the module (the lead's file), add it for the test.
    if "sotong.staff.cli" not in sotong.cli.COMMAND_MODULES:
        monkeypatch.setattr(sotong.cli, "COMMAND_MODULES", (*sotong.cli.COMMAND_MODULES, "sotong.staff.cli"))

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = sotong.cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_first_admin_then_an_officer_then_a_token(run, core_db):
    code, out, _ = run("staff", "create-admin", "admin", "--name", "관리자", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "created admin admin" in out
    code, out, _ = run(
        "staff",
        "create",
        "kim",
        "--department",
        "cleaning",
        "--officer",
        "cleaning-kim",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "created officer kim" in out
    code, out, _ = run("staff", "list")
    assert "admin" in out and "kim" in out and "cleaning-kim" in out
    code, token, err = run("staff", "token", "create", "kim", "--label", "연동")
    assert code == 0 and token.strip().startswith("sotong_") and "shown only now" in err
    code, out, _ = run("staff", "token", "list")
    assert token.strip() not in out and "연동" in out
    with session_scope(core_db) as s:
        assert sessions.login(s, "admin", PASSWORD).principal.is_admin


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (("staff", "create-admin", "admin", "--password-stdin"), "short\n", "at least 12"),
        (("staff", "create-admin", "Bad Name", "--password-stdin"), PASSWORD + "\n", "username"),
        (("staff", "create", "kim", "--department", "nope", "--password-stdin"), PASSWORD + "\n", "unknown department"),
        (("staff", "disable", "nobody"), "", "no account"),
        (("staff", "token", "revoke", "42"), "", "no token"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(run, argv, stdin, message):
    code, out, err = run(*argv, stdin=stdin)
    assert code == 1 and message in err and "Traceback" not in err


def test_a_second_admin_with_the_same_name_is_refused(run):
    assert run("staff", "create-admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, _, err = run("staff", "create-admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "already exists" in err
