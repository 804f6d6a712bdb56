"""A bare NLU server for the benchmarks: ``rasa run --enable-api`` on one model, no action
server, in-memory tracker store; timed ``POST /model/parse`` over one keep-alive connection."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from devkit import BIN
from devkit.procs import child_env, descendants, free_port, spawn, stop, tail
from devkit.timing import memory_kb, peak_rss_mb

PARSE_TIMEOUT = 30
START_TIMEOUT = 300


def get_status(port: int) -> dict[str, Any] | None:
    """Rasa's ``GET /status`` on loopback, or None while it does not answer 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as r:
            if r.status == 200:
                return json.loads(r.read())
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        pass
    return None


class Parser:
    """POST /model/parse over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def parse(self, text: str) -> tuple[dict[str, Any], float]:
        """The parse result and its client-side round trip in ms (one reconnect on a dropped connection)."""
        body = json.dumps({"text": text}).encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PARSE_TIMEOUT)
            try:
                t0 = time.perf_counter()
                self.conn.request("POST", "/model/parse", body, {"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
                ms = (time.perf_counter() - t0) * 1000
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.status != 200:
                raise RuntimeError(f"/model/parse returned {resp.status}: {data[:200]!r}")
            return json.loads(data), ms
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def serve_and_parse(
    model: Path,
    texts: Sequence[str],
    work: Path,
    env: dict[str, str] | None = None,
    start_timeout: float = START_TIMEOUT,
    on_ready: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Serve ``model``, parse every text once to warm up, then once more timed; stop the server.

    Returns load_s (spawn until /status shows a model: interpreter, TensorFlow import and model
    load together), rss_after_load_mb, preds, latencies_ms, and after the parses peak_rss_mb
    (VmHWM of the server), rss_end_mb, child_processes, children_peak_rss_mb.
    ``on_ready(load_s)`` is called once the model is loaded (for progress output)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "endpoints.yml").write_text("# none: in-memory tracker store, no action server\n")
    (work / "credentials.yml").write_text("rest:\n")
    log = work / "server.log"
    port = free_port()
    cmd = [
        str(BIN / "rasa"),
        "run",
        "--enable-api",
        "-m",
        str(model),
        "--port",
        str(port),
        "-i",
        "127.0.0.1",
        "--endpoints",
        str(work / "endpoints.yml"),
        "--credentials",
        str(work / "credentials.yml"),
    ]
    env = env or child_env(RASA_CACHE_DIRECTORY=str(work / "rasa-cache"))
    res: dict[str, Any] = {}
    proc = None
    parser = Parser(port)
    try:
        t0 = time.perf_counter()
        proc = spawn(cmd, env, log)
        while True:
            status = get_status(port)
            if status and (status.get("model_file") or status.get("model_id")):
                res["load_s"] = time.perf_counter() - t0
                break
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run exited with {proc.returncode}\n{tail(log)}")
            if time.perf_counter() - t0 > start_timeout:
                raise RuntimeError(f"server not ready after {start_timeout:.0f} s\n{tail(log)}")
            time.sleep(0.1)
        res["rss_after_load_mb"] = memory_kb(proc.pid)["VmRSS"] / 1024
        if on_ready:
            on_ready(res["load_s"])
        for text in texts:
            parser.parse(text)
        res["preds"], res["latencies_ms"] = [], []
        for text in texts:
            pred, ms = parser.parse(text)
            res["preds"].append(pred)
            res["latencies_ms"].append(ms)
        mem = memory_kb(proc.pid)
        kids = descendants(proc.pid)
        res.update(
            peak_rss_mb=mem["VmHWM"] / 1024,
            rss_end_mb=mem["VmRSS"] / 1024,
            child_processes=len(kids),
            children_peak_rss_mb=peak_rss_mb(kids),
        )
    finally:
        parser.close()
        stop(proc)
    return res
