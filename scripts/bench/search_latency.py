"""Search latency (issue 10: "answers in < 50 ms"): p50/p95/p99 over a set of resident queries.

Two figures: the core alone (``sotong.search.search``, in process) and the whole HTTP round
trip to ``GET /api/search`` on the real web app served by uvicorn on a loopback port (what
the page waits for). The index is built once before timing (a data edit rebuilds it, ~1 s,
off the event loop). Prints the figures and writes results/bench_search.json.

    PYTHONPATH=. .venv/bin/python -m scripts.bench.search_latency [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from devkit.benchdoc import markers, replace_block
from sotong.search import search, search_index
from sotong.settings import PROJECT_ROOT

# What residents type: initials, typos, missing or extra spaces, whole questions, nonsense.
QUERIES = (
    "ㅇㄱ",
    "ㄷㅎㅍㄱㅁ",
    "ㅈㅇㅅㄱ",
    "ㅈㅊ",
    "여권",
    "여궈",
    "여권 재발급",
    "전입신고",
    "전입신고어디서",
    "전입 신고 어디서 해요",
    "이사왔어요",
    "대형폐기물",
    "대형페기물",
    "이불 버리기",
    "쓰레기봉투",
    "종량제 봉투 어디서 사요",
    "주차",
    "불법주차 신고",
    "주정차단속",
    "과태료",
    "견인",
    "가로등",
    "가로등고장",
    "포트홀",
    "일자리",
    "취업",
    "구정소식",
    "운영시간",
    "구청 몇시까지",
    "재산세",
    "자동차세 연납",
    "기초연금",
    "부모급여",
    "예방접종",
    "독감",
    "도서관",
    "캠핑장 예약",
    "민원조회",
    "qwerty",
    "아무말대잔치",
)
TARGET_MS = 50.0


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(at(0.95), 3),
        "p99_ms": round(at(0.99), 3),
        "max_ms": round(ordered[-1], 3),
    }


def bench_core(rounds: int) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            search(q, 8)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


@contextmanager
def _serve() -> Iterator[str]:
    """The real web app (with the search route) on a loopback port we bound ourselves."""
    import uvicorn

    from web.app import create_app
    from web.search import router

    app = create_app()
    if not any(getattr(r, "path", "") == "/api/search" for r in app.routes):
        app.include_router(router)  # until web/app.py includes it
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def bench_http(rounds: int) -> dict[str, float]:
    samples = []
    with _serve() as base, requests.Session() as http:
        http.get(f"{base}/api/search", params={"q": "여권"}, timeout=10)  # connection and index warm
        for _ in range(rounds):
            for q in QUERIES:
                started = time.perf_counter()
                response = http.get(f"{base}/api/search", params={"q": q, "limit": 8}, timeout=10)
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return percentiles(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query set (default 20)")
    parser.add_argument("--no-http", action="store_true", help="time the core only")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "bench_search.json")
    parser.add_argument("--doc", default=str(PROJECT_ROOT / "docs" / "benchmarks.md"), help="'' to skip")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    index = search_index()
    build_ms = (time.perf_counter() - started) * 1000
    figures = {
        "queries": len(QUERIES),
        "services_indexed": len(index.catalogue.services),
        "index_build_ms": round(build_ms, 1),
        "core": bench_core(args.rounds),
    }
    if not args.no_http:
        figures["http"] = bench_http(args.rounds)
    worst = max(figures[k]["p95_ms"] for k in ("core", "http") if k in figures)
    figures["target_p95_ms"] = TARGET_MS
    figures["ok"] = worst < TARGET_MS

    print(f"search over {figures['services_indexed']} services, {len(QUERIES)} queries × {args.rounds} rounds")
    print(f"  index build: {figures['index_build_ms']} ms (once per data edit)")
    for kind in ("core", "http"):
        if kind in figures:
            f = figures[kind]
            print(f"  {kind:4}: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms")
    print(f"  target p95 < {TARGET_MS:.0f} ms: {'met' if figures['ok'] else 'MISSED'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.doc:
        write_doc(Path(args.doc), figures, args.rounds)
    return 0 if figures["ok"] else 1


def write_doc(path: Path, figures: dict, rounds: int) -> None:
    """The search block of docs/benchmarks.md (devkit.benchdoc markers)."""
    start, end = markers("search")
    rows = [
        f"| {kind} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {f['max_ms']} |"
        for kind, f in ((k, figures[k]) for k in ("core", "http") if k in figures)
    ]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    block = "\n".join(
        [
            start,
            "## Resident page search (issue 10)",
            "",
            f"- **Date:** {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load} at the end",
            f"- {figures['services_indexed']} services and FAQ topics indexed in {figures['index_build_ms']} ms; "
            f"{figures['queries']} queries × {rounds} rounds (typos, no spaces, 초성)",
            "",
            "| path | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Target p95 < {TARGET_MS:.0f} ms: **{'met' if figures['ok'] else 'not met'}**. "
            "Reproduce: `PYTHONPATH=. .venv/bin/python -m scripts.bench.search_latency`.",
            end,
        ]
    )
    replace_block(path, start, end, block + "\n")


if __name__ == "__main__":
    sys.exit(main())
