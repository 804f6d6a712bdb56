"""Issue 7, finding 7: secrets never on a command line or in a URL, token files and the database
owner-only, tokens compared in constant time. Probes against the real e2e stack (rasa_stack);
`make run` itself (scripts/run.sh: token files, database) is probed in test_supervision.py.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import requests

from tests.e2e.stack import ROOT
from tests.security.probes import command_lines, listening_addresses


@pytest.mark.e2e
def test_no_process_shows_a_secret_on_its_command_line(rasa_stack):
    secrets = {"rasa token": rasa_stack.token, "action secret": rasa_stack.action_secret}
    leaks = [
        (name, pid, line[:120])
        for pid, line in command_lines().items()
        for name, value in secrets.items()
        if value in line
    ]
    assert not leaks


@pytest.mark.e2e
def test_rasa_api_takes_the_token_as_a_bearer_header(rasa_stack):
    url = f"{rasa_stack.rasa_url}/status"
    assert requests.get(url, headers=rasa_stack.auth_headers, timeout=10).status_code == 200
    assert requests.get(url, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer " + rasa_stack.token[:-1] + "Z"}
    assert requests.get(url, headers=wrong, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer 토큰".encode()}, timeout=10).status_code == 401


@pytest.mark.e2e
def test_rasa_listens_on_loopback_only(rasa_stack):
    assert listening_addresses(rasa_stack.rasa_port) == {"127.0.0.1"}


def _launch_rasa(env_changes: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SOTONG_RASA_TOKEN", "SOTONG_RASA_TOKEN_FILE")}
    env.update(PYTHONPATH=str(ROOT), SOTONG_RASA_PORT="1", **env_changes)
    return subprocess.run(
        [sys.executable, "-m", "scripts.rasa_server", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_rasa_launcher_refuses_to_start_without_a_token():
    done = _launch_rasa({})
    assert done.returncode == 2 and "SOTONG_RASA_TOKEN" in done.stderr


def test_rasa_launcher_refuses_a_token_file_others_can_read(tmp_path):
    token_file = tmp_path / "rasa-token"
    token_file.write_text("a-long-enough-token-value\n")
    token_file.chmod(0o644)
    done = _launch_rasa({"SOTONG_RASA_TOKEN_FILE": str(token_file)})
    assert done.returncode == 2 and "chmod 600" in done.stderr


def test_rasa_launcher_refuses_the_token_on_its_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "scripts.rasa_server", "run", "--auth-token", "visible-in-ps"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SOTONG_RASA_TOKEN": "x" * 32},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--auth-token" in done.stderr


def test_sqlite_database_is_created_owner_only(tmp_path):
    from sotong.db import dispose_engine, get_engine

    url = f"sqlite:///{tmp_path / 'fresh' / 'sotong.db'}"
    old_umask = os.umask(0o022)  # what a shell gives by default
    try:
        with get_engine(url).begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    finally:
        os.umask(old_umask)
        dispose_engine(url)
    for path in (tmp_path / "fresh").iterdir():  # sotong.db and its -wal/-shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
