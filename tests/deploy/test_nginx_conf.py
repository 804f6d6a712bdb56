"""deploy/preflight.py renders deploy/nginx/sotong.conf for the replica count run_prod.sh asks for,
and `nginx -t` accepts the result (when nginx is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _render(tmp_path: Path, rasa: str, actions: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "SOTONG_NGINX_RUN_USER": "root",
        "SOTONG_NGINX_NGINX_DIR": str(tmp_path),
        "SOTONG_NGINX_ROOT": str(ROOT),
        "SOTONG_NGINX_FRONT_PORT": "18080",
        "SOTONG_NGINX_RASA_PORT": "15005",
        "SOTONG_NGINX_ACTION_PORT": "15055",
        "SOTONG_NGINX_WEB_PORT": "18000",
        "SOTONG_NGINX_RASA_SERVERS": rasa,
        "SOTONG_NGINX_ACTION_SERVERS": actions,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "preflight.py"), "nginx-conf", str(tmp_path / "nginx.conf")],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip


def _upstream(conf: str, name: str) -> list[int]:
    block = re.search(r"upstream " + name + r" \{(.*?)\}", conf, re.S)
    assert block, name
    return [int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+)", block.group(1))]


@pytest.mark.parametrize(
    "rasa,actions", [("5105", "5155"), ("5105 5106", "5155 5156")], ids=["1-replica", "2-replicas"]
)
def test_the_upstreams_follow_the_replica_count(tmp_path, rasa, actions):
    done = _render(tmp_path, rasa, actions)
    assert done.returncode == 0, done.stderr
    conf = (tmp_path / "nginx.conf").read_text()
    assert "@" not in re.sub(r"#.*", "", conf), "a placeholder was left unfilled"
    wanted = [int(p) for p in rasa.split()]
    assert _upstream(conf, "rasa_replicas") == wanted and _upstream(conf, "rasa_sticky") == wanted
    assert _upstream(conf, "action_servers") == [int(p) for p in actions.split()]
    assert "listen 127.0.0.1:" in conf and "listen 0.0.0.0" not in conf  # loopback only
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        print("\nnginx not installed here: the rendered file is not checked with `nginx -t`")
        return
    (tmp_path / "tmp").mkdir(exist_ok=True)
    checked = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("rasa", ["", "5105 http://evil", "99999", "5105;"], ids=["none", "url", "range", "semicolon"])
def test_anything_but_port_numbers_is_refused(tmp_path, rasa):
    done = _render(tmp_path, rasa, "5155")
    assert done.returncode != 0 and "SOTONG_NGINX_RASA_SERVERS" in done.stderr
    assert not (tmp_path / "nginx.conf").exists()
