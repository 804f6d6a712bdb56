"""Issue 7, findings 8 and 7 on `make run` itself: scripts/run.sh as shipped, in a scratch
var/ folder on free ports. A killed service is restarted (with back-off, logged) and the chat
works again; Ctrl-C still stops everything; token files and the database are owner-only; no
secret is on a command line; every service listens on loopback only.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.stack import MODEL, ROOT, _tail, free_port, texts
from tests.security.probes import children, command_lines, listening_addresses

SECRET_FILES = ("rasa-token", "action-secret", "session-secret", "web-channel-secret")


class Launched:
    def __init__(self, var: Path) -> None:
        self.var = var
        self.log = var.parent / "run.log"
        self.ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOTONG_", "DATABASE_URL", "KAKAO_"))}
        env.update(
            SOTONG_VAR_DIR=str(var),
            SOTONG_RASA_PORT=str(self.ports["rasa"]),
            SOTONG_ACTION_PORT=str(self.ports["actions"]),
            SOTONG_WEB_PORT=str(self.ports["web"]),
        )
        self.proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}"

    def token(self) -> str:
        return (self.var / "rasa-token").read_text().strip()

    def wait_until(self, check, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout  # a safety bound for start-up, not a timing assertion
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scripts/run.sh exited with {self.proc.returncode}:\n{_tail(self.log)}")
            try:
                if check():
                    return
            except (OSError, requests.RequestException):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{what} not reached after {timeout}s:\n{_tail(self.log)}")

    def rasa_up(self) -> bool:
        resp = requests.get(f"{self.rasa_url}/status", headers={"Authorization": f"Bearer {self.token()}"}, timeout=5)
        return resp.status_code == 200

    def say(self, sender: str, message: str) -> str:
        resp = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        resp.raise_for_status()
        return texts(resp.json())

    def service_pid(self, module: str) -> int:
        lines = command_lines()
        found = [pid for pid in children(self.proc.pid) if module in lines.get(pid, "")]
        assert len(found) == 1, (module, found)
        return found[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _supervise(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.supervise", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_crashing_service_is_restarted_with_doubling_delays_up_to_the_cap():
    done = _supervise(
        "--min-delay",
        "0.1",
        "--max-delay",
        "0.4",
        "--give-up-after",
        "6",
        f"flaky={sys.executable} -c 'raise SystemExit(3)'",
        f"steady={sys.executable} -c 'import time; time.sleep(600)'",
    )
    delays = [line.rsplit(" in ", 1)[1] for line in done.stderr.splitlines() if "flaky exited with status 3;" in line]
    assert delays == ["0.1 s", "0.2 s", "0.4 s", "0.4 s", "0.4 s"]
    assert "flaky exited with status 3, 6 times in a row: giving up" in done.stderr
    assert done.stderr.count("started steady") == 1  # the other service was left alone until the end
    assert done.returncode == 1


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train`")
    stack = Launched(tmp_path_factory.mktemp("make-run") / "var")
    try:
        stack.wait_until(stack.rasa_up, "Rasa /status", 300)
        stack.wait_until(
            lambda: requests.get(f"http://127.0.0.1:{stack.ports['actions']}/health", timeout=5).ok,
            "action server /health",
            60,
        )
    except Exception:
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.mark.e2e
def test_token_files_and_database_are_owner_only(launched):
    for name in (*SECRET_FILES, "sotong.db"):
        mode = stat.S_IMODE((launched.var / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"


@pytest.mark.e2e
def test_no_secret_on_any_command_line(launched):
    values = [(launched.var / name).read_text().strip() for name in SECRET_FILES]
    assert all(len(v) >= 32 for v in values)
    leaks = [pid for pid, line in command_lines().items() if any(v in line for v in values)]
    assert not leaks


@pytest.mark.e2e
def test_every_service_listens_on_loopback_only(launched):
    launched.wait_until(lambda: listening_addresses(launched.ports["web"]), "web app port", 60)
    for name, port in launched.ports.items():
        assert listening_addresses(port) == {"127.0.0.1"}, name


@pytest.mark.e2e
def test_killed_action_server_comes_back_and_the_chat_works_again(launched):
    assert "여권" in launched.say("supervision", "여권 발급 필요서류")
    victim = launched.service_pid("actions.server")
    os.kill(victim, signal.SIGKILL)
    launched.wait_until(
        lambda: "actions exited with status -9; restart 1" in launched.log.read_text(), "restart logged", 30
    )
    launched.wait_until(
        lambda: requests.get(f"http://127.0.0.1:{launched.ports['actions']}/health", timeout=5).ok,
        "action server back",
        120,
    )
    assert launched.service_pid("actions.server") != victim
    assert "여권" in launched.say("supervision", "여권 발급 필요서류")
    assert launched.proc.poll() is None  # the rest of the stack never went down


@pytest.mark.e2e
def test_ctrl_c_stops_every_service(launched):
    services = children(launched.proc.pid)
    assert len(services) == 4  # actions, worker, web, rasa
    os.killpg(launched.proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    launched.proc.wait(timeout=60)
    alive = [
        pid
        for pid in services
        if Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    ]
    assert not alive
    assert "all services stopped" in launched.log.read_text()
