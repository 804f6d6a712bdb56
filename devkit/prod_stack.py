"""The production profile as a test harness: scripts/run_prod.sh on free ports, its own
PostgreSQL database, its own Redis key prefixes and its own var/ directory.

It is started exactly as an operator starts it (`make run-prod` runs the same script):
nginx, two Rasa replicas, two action servers, the web app and the notification worker
under scripts/supervise.py. Logs stay in the test's temp dir and are printed when the
stack fails to come up.

The fault tests point it at servers of their own (``redis_url``, the database URL) and
add settings (``extra_env``: a fake 알림톡 provider, a quicker worker); by default it uses
the machine's Redis with key prefixes of its own.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from devkit.procs import child_env, children, free_port
from devkit.stack import MODEL, ROOT

UPSTREAM = re.compile(r'"POST /webhooks/kakao/webhook" \d+ \d+ upstream=([^\s,]+(?:, [^\s,]+)*) ')


def nginx_or_reason() -> str | None:
    """None when nginx is there (installed now by scripts/install_nginx.sh if need be), else why not."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "install_nginx.sh")], capture_output=True, text=True)
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return None
    return "nginx is not installed and could not be: " + (done.stdout + done.stderr).strip().replace("\n", "; ")


@dataclass
class ProdStack:
    workdir: Path
    database_url: str
    kakao_secret: str = field(default_factory=lambda: secrets.token_hex(12))
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    front_port: int = field(default_factory=free_port)
    rasa_ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    proc: subprocess.Popen | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    action_ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: int = 2
    # nginx's inside listeners (Rasa API, actions) and the web app: fixed once, so `env` is the same on every read.
    inside_ports: tuple[int, int, int] = field(
        default_factory=lambda: (free_port(), free_port(), free_port())
    )  # SOTONG_RASA_REPLICAS: 1 measures what the second one buys (scripts/bench_prod.py)

    @property
    def env(self) -> dict[str, str]:
        env = child_env(
            DATABASE_URL=self.database_url,
            SOTONG_VAR_DIR=str(self.workdir / "var"),
            SOTONG_PROD_LOG_DIR=str(self.workdir / "logs"),
            SOTONG_REDIS_URL=self.redis_url,
            SOTONG_KAKAO_REDIS_PREFIX=f"sotong-test:{self.tag}:",
            SOTONG_LOCK_KEY_PREFIX=f"sotongtest{self.tag}",
            SOTONG_PROD_PORT=str(self.front_port),
            SOTONG_RASA_PORT=str(self.inside_ports[0]),
            SOTONG_ACTION_PORT=str(self.inside_ports[1]),
            SOTONG_WEB_PORT=str(self.inside_ports[2]),
            SOTONG_RASA_REPLICA_PORTS=" ".join(map(str, self.rasa_ports)),
            SOTONG_ACTION_REPLICA_PORTS=" ".join(map(str, self.action_ports)),
            SOTONG_RASA_TOKEN=self.token,
            KAKAO_SKILL_SECRET=self.kakao_secret,
            # A service failing to start 3 times in a row stops the stack: a red test, not a hang.
            SOTONG_GIVE_UP_AFTER="3",
            SOTONG_RASA_REPLICAS=str(self.replicas),
        )
        env.update(self.extra_env)  # last: a test may override any of the above
        return env

    @property
    def front(self) -> str:
        return f"http://127.0.0.1:{self.front_port}"

    def log(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"

    @property
    def access_log(self) -> Path:
        return self.workdir / "var" / "prod" / "nginx" / "access.log"

    def start(self, timeout: float = 900) -> "ProdStack":
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` (make test does it first)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run_prod.sh")],
            cwd=ROOT,
            env=self.env,
            stdout=(self.workdir / "run_prod.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            for port in self.rasa_ports[: self.replicas]:  # each replica itself, then the paths through nginx
                self._wait(f"http://127.0.0.1:{port}/status", timeout, {"Authorization": f"Bearer {self.token}"})
            self._wait(f"{self.front}/webhooks/kakao/", 60)
            self._wait(f"{self.front}/healthz", 60)
        except Exception:
            self.stop()
            raise
        return self

    def _wait(self, url: str, timeout: float, headers: dict[str, str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"run_prod.sh exited ({self.proc and self.proc.returncode}):\n{self.logs()}")
            try:
                if requests.get(url, headers=headers, timeout=3).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"{url} not up after {timeout:.0f} s:\n{self.logs()}")

    def logs(self) -> str:
        parts = [self.workdir / "run_prod.log", self.log("rasa1"), self.log("rasa2")]  # run_prod.log: the supervisor
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in parts if p.exists())

    def stop(self) -> None:
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 40), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    # --- what the tests do -------------------------------------------------------------

    def replica_pid(self, port: int) -> int:
        """The Rasa replica process serving `port` (a child of the supervisor)."""
        return self._service_pid(f"SOTONG_RASA_PORT={port}", "rasa_server")

    def action_server_pid(self, port: int) -> int:
        """The action server process serving `port` (a child of the supervisor)."""
        return self._service_pid(f"SOTONG_ACTION_PORT={port}", "actions.server")

    def _service_pid(self, env_entry: str, module: str) -> int:
        assert self.proc is not None
        wanted = env_entry.encode()
        for pid in children(self.proc.pid):  # run_prod.sh exec's the supervisor: its services
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if wanted in environ and module.encode() in cmdline:
                return pid
        raise LookupError(f"no {module} with {env_entry}")

    def wait_until_serving(self, port: int, timeout: float = 600) -> None:
        """A Rasa replica (back) up: its /status answers."""
        self._wait(f"http://127.0.0.1:{port}/status", timeout, {"Authorization": f"Bearer {self.token}"})

    def kakao(self, body: dict[str, Any], timeout: float = 10, replica: int | None = None) -> dict[str, Any]:
        """POST a skill request to the public front as Kakao does (or straight to one replica's port)."""
        base = f"http://127.0.0.1:{replica}" if replica else self.front
        reply = requests.post(
            f"{base}/webhooks/kakao/webhook",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "X-Kakao-Skill-Secret": self.kakao_secret},
            timeout=timeout,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def last_kakao_upstream(self) -> int:
        """The port of the replica that answered the latest Kakao request (nginx's access log)."""
        found = UPSTREAM.findall(self.access_log.read_text())
        assert found, "no Kakao request in nginx's access log"
        return int(found[-1].split(", ")[-1].rsplit(":", 1)[1])
