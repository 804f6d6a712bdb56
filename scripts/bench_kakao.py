"""KakaoTalk channel benchmark: simulated Kakao users against /webhooks/kakao/webhook (issue 4).

Starts its own stack (devkit/stack.py, as the e2e tests do: the real action server + Rasa server with the root
credentials.yml, i.e. the Kakao channel with its 4.5 s reply deadline and the secret header on) in a
temp dir, then lets simulated residents hold a realistic conversation each, over loopback HTTP:

    greeting → waste bags in 청라동 → bulky-waste fee → passport documents → office hours →
    "무단투기 신고할게요" → shared location → description → photo (secure-image plugin) →
    tap "네, 접수해 주세요" (quick reply, payload in clientExtra) → "내 민원 조회"

Every request carries a callbackUrl (a loopback receiver), as on a callback-enabled Kakao block, so
an answer slower than the deadline comes back as `useCallback` and is then POSTed to the receiver;
the user waits for it before the next message, like a resident waiting for the answer.

Levels: 1, 10 and 50 concurrent users, in two modes:
* ``paced``: each user pauses 2–6 s (uniform) before every message, a resident reading the answer
  and typing the next one; the first pause is 0–6 s, so users arrive spread out (the realistic figure);
* ``back-to-back``: no pause, each user sends the next message the moment the answer arrives
  (a stress figure: 50 users keep 50 requests in flight all the time).

Per level: p50/p95/p99 of the webhook's response time (client-side, what Kakao waits for),
messages/s, answers that would have missed Kakao's 5 s limit (response > 5 s; `useCallback` answers
counted separately, with the time until their callback arrived), errors (non-200, connection
errors, invalid responses against connectors.kakao.limits, the connector's apology) and the
conversations that ended with a receipt number. Bounded by count (conversations per user) and time
(no new message after a level's time cap).

Writes the kakao block of docs/benchmarks.md (between the bench:kakao markers, nothing else is
touched) and the raw figures to results/bench_kakao.json. The parts: scripts/bench/kakao_scenario.py
(what residents say, the levels), kakao_load.py (the load generator), kakao_report.py (figures, document).

    PYTHONPATH=. .venv/bin/python -m scripts.bench_kakao [--quick]   (in the checkout)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.kakao.config import DEFAULT_SECRET_HEADER, KAKAO_TIME_LIMIT_SECONDS
from connectors.kakao.texts import load_texts
from devkit import ROOT, machine
from devkit.benchdoc import replace_block
from devkit.procs import free_port
from devkit.stack import RasaStack
from scripts.bench.kakao_load import Receiver, Target, run_level, warm_up
from scripts.bench.kakao_report import (
    MARK_END,
    MARK_START,
    TARGET_P95_MS,
    TARGET_USERS,
    render_block,
    summarize,
    verdict,
)
from scripts.bench.kakao_scenario import FULL, QUICK, Plan


def say(msg: str) -> None:
    print(f"[bench_kakao {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def bench_stack(workdir: Path) -> RasaStack:
    """The e2e tests' stack, with what a load test must not trip over switched off."""
    return RasaStack(
        workdir,
        extra_env={
            # Loopback callbacks are refused by default (connectors/kakao/callback_policy.py).
            "KAKAO_CALLBACK_HOSTS": f"127.0.0.1:{Receiver.port_for_run}",
            "KAKAO_CALLBACK_ALLOW_HTTP": "1",
            # Simulated residents file many reports; the per-resident filing limit is not what is measured.
            "SOTONG_FILING_LIMIT_PER_HOUR": "0",
            "SOTONG_FILING_LIMIT_PER_DAY": "0",
            # Nor is the per-sender message rate limit (30/min): back-to-back users exceed it by design.
            "SOTONG_MESSAGE_RATE": "100000/1",
        },
    )


def run_levels(target: Target, plan: Plan) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The warm-up transcript, and one summary per (mode, users) of the plan."""
    transcript = asyncio.run(warm_up(target))
    say("warm-up conversation done")
    summaries: list[dict[str, Any]] = []
    seed = 1
    for mode, think in plan.modes:
        for users in plan.levels:
            say(f"{mode}: {users} user(s) ...")
            summary = summarize(asyncio.run(run_level(target, plan, mode, think, users, seed)))
            seed += 1
            summaries.append(summary)
            say(
                f"  {summary['messages']} msgs in {summary['wall_seconds']} s, p50 {summary['p50_ms']} ms, "
                f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, >5s {summary['over_5s']}, "
                f"useCallback {summary['use_callback']}, errors {summary['errors']}, "
                f"receipts {summary['receipts']}/{summary['conversations_done']}"
            )
    return transcript, summaries


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 and 2 users, one conversation, short pauses")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_kakao.json")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (server logs, database)")
    args = ap.parse_args(argv)
    plan = QUICK if args.quick else FULL

    began = time.monotonic()
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_start = machine.loadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench_kakao_"))
    Receiver.port_for_run = free_port()
    stack = bench_stack(tmp)
    say(f"starting the stack in {tmp} ...")
    t0 = time.monotonic()
    stack.start()
    stack_start = time.monotonic() - t0
    say(f"stack up in {stack_start:.0f} s at {stack.rasa_url}")
    target = Target(
        url=stack.rasa_url + "/webhooks/kakao/webhook",
        headers={"Content-Type": "application/json", DEFAULT_SECRET_HEADER: stack.kakao_secret},
        pids=list(stack.pids().values()),
        apology=load_texts().internal_error,
    )
    try:
        transcript, summaries = run_levels(target, plan)
    finally:
        stack.stop()
        if args.keep_tmp:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    target_users = TARGET_USERS if TARGET_USERS in plan.levels else max(plan.levels)
    verdicts = {
        mode: verdict(next(s for s in summaries if s["mode"] == mode and s["users"] == target_users))
        for mode, _ in plan.modes
    }
    report = {
        "date": date,
        "quick": args.quick,
        "machine": {**machine.describe(), **machine.versions(("rasa", "sanic"))},
        "loadavg_start": load_start,
        "loadavg_end": machine.loadavg(),
        "stack_start_seconds": round(stack_start, 1),
        "runtime_seconds": round(time.monotonic() - began, 1),
        "conversations_per_user": {u: plan.conversations_per_user(u) for u in plan.levels},
        "think_seconds": {mode: list(think) for mode, think in plan.modes},
        "level_time_cap_seconds": plan.level_time_cap,
        "kakao_time_limit_seconds": KAKAO_TIME_LIMIT_SECONDS,
        "reply_deadline_seconds": 4.5,
        "warm_up_transcript": transcript,
        "target": {"users": target_users, "p95_ms_below": TARGET_P95_MS, "missed_deadlines": 0},
        "levels": summaries,
        "verdicts": verdicts,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    replace_block(args.doc, MARK_START, MARK_END, render_block(report))
    for mode, v in verdicts.items():
        say(
            f"target at {target_users} users ({mode}): missed {v['missed_deadlines']}, p95 {v['p95_ms']} ms -> "
            f"{'met' if v['met'] else 'not met'}"
        )
    say(f"wrote {args.json} and the kakao block of {args.doc} in {report['runtime_seconds'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
