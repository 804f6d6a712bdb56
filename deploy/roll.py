"""``python deploy/roll.py``: put a new models/sotong.tar.gz into every Rasa replica of `make run-prod`,
one replica at a time, without losing a message.

Each replica loads models/sotong.tar.gz when it starts. This stops one replica (SIGTERM: Sanic
closes its port, finishes the requests in flight, the KakaoTalk channel drains its late answers),
lets scripts/supervise.py start it again, and waits until it answers /status with a model before
touching the next. While a replica is down or loading, its port refuses connections and nginx
sends every request to the other one (a refused connection is safe to retry, even for a POST).

Ports: SOTONG_RASA_REPLICA_PORTS (default "5105 5106"); token: SOTONG_RASA_TOKEN or
var/rasa-token, as run_prod.sh.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 900.0  # a replica loads TensorFlow and the model: minutes on a busy machine


def replica_pid(port: int) -> int | None:
    """The Rasa replica started by run_prod.sh for `port` (its environment says SOTONG_RASA_PORT=port)."""
    wanted = f"SOTONG_RASA_PORT={port}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"rasa_server" in (proc / "cmdline").read_bytes() and wanted in (proc / "environ").read_bytes().split(
                b"\0"
            ):
                return int(proc.name)
        except OSError:  # gone, or not ours to read
            continue
    return None


def model_id(port: int, token: str) -> str | None:
    try:
        reply = requests.get(f"http://127.0.0.1:{port}/status", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    except requests.RequestException:
        return None
    return reply.json().get("model_id") if reply.status_code == 200 else None


def roll(port: int, token: str) -> str:
    pid = replica_pid(port)
    if pid is None:
        raise SystemExit(f"roll: no Rasa replica on port {port} (is `make run-prod` running?)")
    before = model_id(port, token)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(2)
        now = replica_pid(port)
        if now not in (None, pid):
            loaded = model_id(port, token)
            if loaded:
                print(f"roll: replica :{port} runs model {loaded} (was {before})")
                return loaded
    raise SystemExit(f"roll: replica :{port} did not come back within {START_TIMEOUT_SECONDS:.0f} s; see its log")


def main() -> int:
    ports = [int(p) for p in os.environ.get("SOTONG_RASA_REPLICA_PORTS", "5105 5106").split()]
    ports = ports[: int(os.environ.get("SOTONG_RASA_REPLICAS", "2"))]  # as scripts/run_prod.sh starts them
    var = Path(os.environ.get("SOTONG_VAR_DIR") or ROOT / "var")
    token = os.environ.get("SOTONG_RASA_TOKEN", "").strip() or (var / "rasa-token").read_text().strip()
    models = {roll(port, token) for port in ports}
    if len(models) != 1:
        print(f"roll: replicas run different models {sorted(models)}: was models/ replaced meanwhile?")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
