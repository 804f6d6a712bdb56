"""Start the real Rasa server and action server as subprocesses (end-to-end tests, benchmarks).

They are started the way `make run` starts them: under scripts/supervise.py (a
crashed service comes back), the action server through actions/server.py (secret
header required), Rasa through scripts/rasa_server.py (token from the environment,
never on the command line). Each stack gets its own ports, its own SQLite database
(or the DATABASE_URL it is given) and its own logs in its workdir (a pytest or benchmark
temp dir: <service>.log, supervise.log); logs are printed when a server fails to come
up, so a red run says why.
"""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from devkit import BIN, ROOT
from devkit.procs import child_env, children, command_line, free_port

MODEL = ROOT / "models" / "sotong.tar.gz"

__all__ = ["BIN", "MODEL", "ROOT", "RasaStack", "free_port", "texts"]


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else f"({log.name} is empty)"


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float, headers=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            supervisor = log.with_name("supervise.log")
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{_tail(log)}\n{_tail(supervisor)}")
        try:
            if requests.get(url, timeout=2, headers=headers).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout}s:\n{_tail(log)}")


@dataclass
class RasaStack:
    workdir: Path
    credentials: Path = ROOT / "credentials.yml"
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    kakao_secret: str = field(default_factory=lambda: secrets.token_hex(12))
    action_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    web_channel_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def env(self) -> dict[str, str]:
        env = child_env(
            **{
                "DATABASE_URL": self.database_url or f"sqlite:///{self.workdir / 'sotong.db'}",
                "SOTONG_ACTION_URL": f"{self.action_url}/webhook",
                "SOTONG_RASA_URL": self.rasa_url,
                "SOTONG_RASA_TOKEN": self.token,
                "SOTONG_RASA_PORT": str(self.rasa_port),
                "SOTONG_ACTION_PORT": str(self.action_port),
                "SOTONG_ACTION_SECRET": self.action_secret,
                "SOTONG_SESSION_SECRET": self.session_secret,
                "SOTONG_WEB_CHANNEL_SECRET": self.web_channel_secret,
                "KAKAO_SKILL_SECRET": self.kakao_secret,
            }
        )
        env.update(self.extra_env)
        return env

    @property
    def auth_headers(self) -> dict[str, str]:
        """Rasa's HTTP API token as a header (a token in a URL ends up in logs)."""
        return {"Authorization": f"Bearer {self.token}"}

    def log(self, service: str) -> Path:
        """The log file of one service: "rasa", "actions" or "supervise"."""
        return self.workdir / f"{service}.log"

    def prepare_database(self) -> None:
        subprocess.run(
            [str(BIN / "python"), "-m", "sotong.cli", "setup"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )

    def services(self) -> list[str]:
        python = str(BIN / "python")
        return [
            "actions=" + shlex.join([python, "-m", "actions.server"]),
            "rasa="
            + shlex.join(
                [
                    python,
                    "-m",
                    "scripts.rasa_server",
                    "run",
                    "-m",
                    str(MODEL),
                    "--credentials",
                    str(self.credentials),
                    "--endpoints",
                    str(ROOT / "endpoints.yml"),
                    "--cors",
                    "*",
                ]
            ),
        ]

    def start(self) -> "RasaStack":
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` (make test does it first)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.prepare_database()
        # --give-up-after: a service that cannot start fails the run now, not after a timeout.
        supervisor = subprocess.Popen(
            [
                str(BIN / "python"),
                "-m",
                "scripts.supervise",
                "--log-dir",
                str(self.workdir),
                "--give-up-after",
                "3",
                *self.services(),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log("supervise").open("w"),
            start_new_session=True,
        )
        self.procs.append(supervisor)
        try:
            _wait_http(f"{self.action_url}/health", supervisor, self.log("actions"), 120)
            # A model loads in ~30 s on an idle 2-core machine; a busy one may need far longer.
            start_wait = float(os.environ.get("SOTONG_STACK_START_SECONDS") or 240)
            _wait_http(f"{self.rasa_url}/status", supervisor, self.log("rasa"), start_wait, headers=self.auth_headers)
        except Exception:
            self.stop()
            raise
        return self

    def pids(self) -> dict[str, int]:
        """The running services' process ids ({"actions": …, "rasa": …}), e.g. to measure them."""
        found: dict[str, int] = {}
        for supervisor in self.procs:
            for pid in children(supervisor.pid):
                cmdline = command_line(pid)
                if b"actions.server" in cmdline:
                    found["actions"] = pid
                elif b"rasa_server" in cmdline:
                    found["rasa"] = pid
        return found

    def stop(self) -> None:
        # The supervisor stops its services on SIGTERM; its process group holds them all.
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # anything left in the group
            except ProcessLookupError:
                pass
        self.procs.clear()

    # --- talking to it -------------------------------------------------------
    def say(self, sender: str, message: str, timeout: float = 30) -> list:
        resp = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
        resp.raise_for_status()
        return resp.json()

    def tracker(self, sender: str) -> dict:
        resp = requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", headers=self.auth_headers, timeout=10)
        resp.raise_for_status()
        return resp.json()


def texts(replies: list) -> str:
    """All bot texts of one turn, joined (what a resident reads)."""
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))
