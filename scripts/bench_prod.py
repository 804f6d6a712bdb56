"""Load figures for the production profile (issue 13, item 4): `make bench-prod`.

Starts, one after the other, `make run-prod`'s stack with two Rasa replicas, the same with one
(SOTONG_RASA_REPLICAS=1), and `make run`'s one-process stack, each on free ports with its own
database, and puts each under the same load: simulated KakaoTalk residents and web residents
(half each) at 50, 100 and 200 users, paced (a 2–6 s pause before each message) and
back-to-back. Per level: p50/p95/p99, msg/s, missed 5 s deadlines, errors, and CPU per message
of every process of the stack by kind (rasa, actions, nginx, web, worker, the stack's PostgreSQL
backends), read from /proc. The parts: scripts/bench/prod_plan.py (stacks, levels, targets),
prod_stack_bench.py (the stacks), prod_load.py + prod_web.py (the residents; KakaoTalk ones from
kakao_scenario.py/kakao_load.py), prod_cpu.py, prod_figures.py, prod_report.py.

The whole run is bounded (35 minutes by default, stack starts included): a level that would end
later is skipped and shown as such. Writes the "Production profile (issue 13)" section of
docs/benchmarks.md (between <!-- bench:prod --> and <!-- /bench:prod -->, nothing else) and the
raw figures to results/bench_prod.json. --quick: 4 and 8 users, short levels; it writes
results/bench_prod.quick.json and leaves the document alone unless --doc is given.

    PYTHONPATH=. .venv/bin/python -m scripts.bench_prod [--quick] [--stacks prod-2 prod-1 one-process]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.kakao.config import DEFAULT_SECRET_HEADER
from connectors.kakao.texts import load_texts
from devkit import ROOT, machine
from devkit.benchdoc import replace_block
from devkit.procs import free_port
from devkit.prod_stack import nginx_or_reason
from scripts.bench.kakao_load import Receiver, Target
from scripts.bench.prod_cpu import shared_service_pids, wait_until_quiet
from scripts.bench.prod_figures import limits, summarize, verdicts
from scripts.bench.prod_load import DRAIN_CAP, Endpoints, Level, run_level, warm_up
from scripts.bench.prod_plan import FULL, QUICK, STACKS, Plan, StackSpec
from scripts.bench.prod_report import MARK_END, MARK_START, render_block
from scripts.bench.prod_stack_bench import (
    BenchProdStack,
    OneProcessStack,
    bench_database,
    load_through,
    services_reachable,
)

SETTLE_CAP = 30.0  # seconds to let a level's backlog drain before the next one
STACK_START_MIN = 240.0  # do not start a stack with less time than this left


def say(msg: str) -> None:
    print(f"[bench_prod {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Run:
    """The time bound and what has been measured so far."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.began = time.monotonic()
        self.deadline = self.began + plan.budget_minutes * 60
        self.levels: list[dict[str, Any]] = []
        self.skipped: list[tuple[str, int, str]] = []
        self.stack_start: dict[str, float] = {}
        self.warm_ups: dict[str, list[dict[str, str]]] = {}

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def skip_rest(self, key: str, levels: Sequence[Level]) -> None:
        self.skipped += [(lv.mode, lv.users, key) for lv in levels]


def load_stack(run: Run, key: str, spec: StackSpec, stack: Any, database: str | None) -> None:
    """Warm the started stack up, then run every level of the plan against it (within the bound)."""

    def pids() -> dict[int, str]:
        return {**stack.pids(), **shared_service_pids(database)}

    ends = Endpoints(
        kakao=Target(
            url=stack.kakao_url,
            headers={"Content-Type": "application/json", DEFAULT_SECRET_HEADER: stack.kakao_secret},
            pids=[],
            apology=load_texts().internal_error,
        ),
        web_url=stack.web_url,
        pids=pids,
    )
    warm = asyncio.run(warm_up(ends))
    run.warm_ups[key] = warm.transcript
    say(f"  warm-up done ({len(warm.transcript)} answers)")
    for index, level in enumerate(run.plan.levels):
        if run.left() < level.seconds + DRAIN_CAP + 10:
            say(f"  time bound: skipping the rest of {key}")
            run.skip_rest(key, run.plan.levels[index:])
            return
        asyncio.run(wait_until_quiet(pids, SETTLE_CAP))
        load = machine.loadavg()
        say(f"  {level.mode} {level.users} users (load average {load}) ...")
        summary = summarize(asyncio.run(run_level(ends, level)), key, spec.replicas, load)
        run.levels.append(summary)
        say(
            f"    {summary['messages']} msgs, {summary['messages_per_second']} msg/s, p50 {summary['p50_ms']} "
            f"p95 {summary['p95_ms']} p99 {summary['p99_ms']} ms, missed {summary['missed_deadlines']}, errors "
            f"{summary['errors']}, stack CPU {summary['stack_cpu_ms_per_message']} ms/msg "
            f"({summary['cpu_ms_per_message']})"
        )


def bench_one(run: Run, key: str, tmp: Path) -> None:
    spec = STACKS[key]
    if run.left() < STACK_START_MIN:
        say(f"time bound: not starting {key}")
        run.skip_rest(key, run.plan.levels)
        return
    workdir = tmp / key
    extra = load_through(Receiver.port_for_run)
    say(f"starting {spec.name} in {workdir} ...")
    t0 = time.monotonic()
    if spec.kind == "one-process":
        stack: Any = OneProcessStack(workdir, extra_env=extra)
        stack.start()
        run.stack_start[key] = round(time.monotonic() - t0, 1)
        say(f"  up in {run.stack_start[key]:.0f} s")
        try:
            load_stack(run, key, spec, stack, None)
        finally:
            stack.stop()
        return
    with bench_database() as (url, name):
        stack = BenchProdStack(workdir, url, replicas=spec.replicas, extra_env=extra)
        stack.start(timeout=min(900.0, run.left() - 120))
        run.stack_start[key] = round(time.monotonic() - t0, 1)
        say(f"  up in {run.stack_start[key]:.0f} s")
        try:
            load_stack(run, key, spec, stack, name)
        finally:
            stack.stop()
            stack.forget_redis_keys()


def nginx_version() -> str:
    done = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip().split("/")[-1] or "?"


def render_only(source: Path, doc: Path) -> int:
    """The document's section again from a run's JSON (after a change to the wording, not the figures)."""
    report = json.loads(source.read_text(encoding="utf-8"))
    report["verdicts"] = verdicts(report["levels"], report["stacks"])
    report["limits"] = limits(report["levels"], report["stacks"], int(report["machine"]["nproc"] or 2))
    replace_block(doc, MARK_START, MARK_END, render_block(report))
    say(f"rewrote the bench:prod section of {doc} from {source}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a short try: 4 and 8 users, 8–12 s levels")
    ap.add_argument("--stacks", nargs="+", choices=list(STACKS), help="a subset of the stacks (default: all three)")
    ap.add_argument("--budget-minutes", type=float, help="the time bound of the whole run")
    ap.add_argument("--doc", type=Path, help="the document to write (default docs/benchmarks.md; --quick: none)")
    ap.add_argument("--json", type=Path, help="default results/bench_prod.json (--quick: bench_prod.quick.json)")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (service logs)")
    ap.add_argument("--render-only", action="store_true", help="rewrite the document from the JSON, measure nothing")
    args = ap.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.stacks or args.budget_minutes:
        plan = Plan(tuple(args.stacks or plan.stacks), plan.levels, args.budget_minutes or plan.budget_minutes)
    doc = args.doc or (None if args.quick else ROOT / "docs/benchmarks.md")
    out = args.json or ROOT / "results" / ("bench_prod.quick.json" if args.quick else "bench_prod.json")
    if args.render_only:
        return render_only(out, doc or ROOT / "docs/benchmarks.md")
    if any(STACKS[k].kind == "prod" for k in plan.stacks):
        reason = nginx_or_reason() or services_reachable()
        if reason:
            say(f"cannot run the production stacks: {reason}")
            return 1

    run = Run(plan)
    # devkit/stack.py waits this long for the one-process Rasa to load; a shared machine needs minutes.
    os.environ.setdefault("SOTONG_STACK_START_SECONDS", "900")
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_start = machine.loadavg()
    say(f"load average {load_start} at the start; bound {plan.budget_minutes:.0f} min")
    Receiver.port_for_run = free_port()  # the stacks allow Kakao callbacks to this one address
    tmp = Path(tempfile.mkdtemp(prefix="bench_prod_"))
    try:
        for key in plan.stacks:
            bench_one(run, key, tmp)
    finally:
        if args.keep_tmp:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    info = machine.describe()
    report = {
        "date": date,
        "quick": args.quick,
        "machine": {**info, **machine.versions(("rasa", "sanic", "aiohttp"))},
        "nginx": nginx_version() if shutil.which("nginx") else None,
        "loadavg_start": load_start,
        "loadavg_end": machine.loadavg(),
        "budget_minutes": plan.budget_minutes,
        "runtime_seconds": round(time.monotonic() - run.began, 1),
        "stacks": list(plan.stacks),
        "stack_start_seconds": run.stack_start,
        "think_seconds": list(next(lv.think for lv in plan.levels if lv.mode == "paced")),
        "level_seconds": {lv.mode: lv.seconds for lv in plan.levels},
        "drain_cap_seconds": DRAIN_CAP,
        "warm_up_transcripts": run.warm_ups,
        "levels": run.levels,
        "skipped": run.skipped,
        "verdicts": verdicts(run.levels, plan.stacks),
        "limits": limits(run.levels, plan.stacks, int(info["nproc"] or 2)),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if doc:
        replace_block(doc, MARK_START, MARK_END, render_block(report))
    say(f"verdicts: {json.dumps(report['verdicts'], ensure_ascii=False)}")
    say(
        f"wrote {out}"
        + (f" and the bench:prod section of {doc}" if doc else "")
        + f" in {report['runtime_seconds'] / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
