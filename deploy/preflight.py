"""``python deploy/preflight.py services|nginx-conf OUT``: what scripts/run_prod.sh needs before it starts.

services    PostgreSQL at DATABASE_URL answers (its database is created when missing, as
            `createdb` would) and Redis at SOTONG_REDIS_URL answers PING. One line each;
            exit 1 with the reason (and what to set) when one does not.
nginx-conf  deploy/nginx/sotong.conf with every @NAME@ placeholder filled from the environment
            (SOTONG_NGINX_<NAME>), written to OUT; exit 1 naming any value left unset. A line
            holding only @<NAME>_SERVERS@ takes a list of ports (SOTONG_NGINX_RASA_SERVERS="5105 5106")
            and becomes one upstream `server` line per port, so the upstreams follow the replica
            count (SOTONG_RASA_REPLICAS in run_prod.sh).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "sotong.conf"
PLACEHOLDER = re.compile(r"@([A-Z0-9_]+)@")
SERVER_LIST = re.compile(r"^([ \t]*)@([A-Z0-9_]+_SERVERS)@[ \t]*$", re.MULTILINE)
# max_fails=0: nginx never takes a replica out of rotation. It counts a slow answer (read timeout) as a
# failure too, so under load one late answer took a replica out for 10 s, the other then timed out as
# well, and every request got an instant 502 "no live upstreams" (scripts/bench_prod.py found it). A
# dead or loading replica refuses the connection and the request is passed on at once anyway.
SERVER_LINE = "server 127.0.0.1:{port} max_fails=0;"


def check_postgresql(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit(f"run-prod: DATABASE_URL must point at PostgreSQL (postgresql+psycopg2://…), not {target}")
    options = {"future": True, "connect_args": {"connect_timeout": 5}}
    try:
        engine = create_engine(url, **options)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return f"PostgreSQL: {target.render_as_string(hide_password=True)}"
    except OperationalError as error:
        if f'database "{target.database}" does not exist' not in str(error):
            raise SystemExit(f"run-prod: PostgreSQL at {target.host}:{target.port or 5432} does not answer: {error}")
    # A fresh server: create the database, as the README's `createdb sotong` would.
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT", **options)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return f"PostgreSQL: created database {target.database} on {target.host}:{target.port or 5432}"


def check_redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        raise SystemExit(f"run-prod: Redis at {url} does not answer ({error}); set SOTONG_REDIS_URL") from None
    finally:
        client.close()
    return f"Redis: {url}"


def server_lines(name: str, indent: str) -> str:
    """SOTONG_NGINX_<name> ("5105 5106") as upstream `server` lines, one per port, at ``indent``."""
    raw = os.environ.get(f"SOTONG_NGINX_{name}", "").split()
    if not raw or not all(p.isdigit() and 0 < int(p) < 65536 for p in raw):
        raise SystemExit(f"run-prod: SOTONG_NGINX_{name} must be one or more port numbers, not {raw!r}")
    return "\n".join(indent + SERVER_LINE.format(port=int(p)) for p in raw)


def nginx_conf(out: Path) -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    template = SERVER_LIST.sub(lambda m: server_lines(m.group(2), m.group(1)), template)
    names = sorted(set(PLACEHOLDER.findall(template)))
    missing = [name for name in names if not os.environ.get(f"SOTONG_NGINX_{name}")]
    if missing:
        raise SystemExit("run-prod: set " + ", ".join(f"SOTONG_NGINX_{name}" for name in missing))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(PLACEHOLDER.sub(lambda m: os.environ[f"SOTONG_NGINX_{m.group(1)}"], template), encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[:1] == ["services"]:
        print(check_postgresql(os.environ["DATABASE_URL"]))
        print(check_redis(os.environ["SOTONG_REDIS_URL"]))
        return 0
    if argv[:1] == ["nginx-conf"] and len(argv) == 2:
        nginx_conf(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
