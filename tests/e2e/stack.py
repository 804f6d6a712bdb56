"""Start the real Rasa server and action server as subprocesses for end-to-end tests.

Each stack gets its own ports, its own SQLite database (or the DATABASE_URL it is
given) and its own logs under the pytest temp dir; logs are printed when a
server fails to come up, so a red run says why.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "sotong.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float, headers=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2, headers=headers).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass
class RasaStack:
    workdir: Path
    credentials: Path = ROOT / "credentials.yml"
    database_url: Optional[str] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    kakao_secret: str = field(default_factory=lambda: secrets.token_hex(12))
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    procs: List[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url or f"sqlite:///{self.workdir / 'sotong.db'}",
            "SOTONG_ACTION_URL": f"{self.action_url}/webhook",
            "SOTONG_RASA_URL": self.rasa_url,
            "SOTONG_RASA_TOKEN": self.token,
            "KAKAO_SKILL_SECRET": self.kakao_secret,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
        })
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: List[str]) -> tuple:
        log = self.workdir / f"{name}.log"
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc, log

    def prepare_database(self) -> None:
        subprocess.run([str(BIN / "python"), "-m", "sotong.cli", "setup"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, text=True)

    def start(self) -> "RasaStack":
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` (make test does it first)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.prepare_database()
        actions, alog = self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--port", str(self.action_port),
                                                "--actions", "actions"])
        rasa, rlog = self._spawn("rasa", [
            str(BIN / "rasa"), "run", "-m", str(MODEL), "--enable-api", "--auth-token", self.token,
            "--port", str(self.rasa_port), "--credentials", str(self.credentials),
            "--endpoints", str(ROOT / "endpoints.yml"), "--cors", "*"])
        try:
            _wait_http(f"{self.action_url}/health", actions, alog, 120)
            _wait_http(f"{self.rasa_url}/status?token={self.token}", rasa, rlog, 240)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()

    # --- talking to it -------------------------------------------------------
    def say(self, sender: str, message: str, timeout: float = 30) -> list:
        resp = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                             timeout=timeout)
        resp.raise_for_status()
        return resp.json()

    def tracker(self, sender: str) -> dict:
        resp = requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": self.token},
                            timeout=10)
        resp.raise_for_status()
        return resp.json()


def texts(replies: list) -> str:
    """All bot texts of one turn, joined (what a resident reads)."""
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))
