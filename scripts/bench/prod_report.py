"""The production benchmark's section of docs/benchmarks.md, between its own markers (nothing else in
the file is touched)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from scripts.bench.kakao_report import fmt
from scripts.bench.prod_figures import KINDS
from scripts.bench.prod_plan import STACKS, TARGET_DEADLINE_USERS, TARGET_P95_MS, TARGET_P95_USERS, TARGET_SCALE

MARK_START, MARK_END = "<!-- bench:prod -->", "<!-- /bench:prod -->"
BUSY_LOAD = 2.0  # a 1-minute load average above this means others were using the machine


def _met(value: bool | None) -> str:
    return "—" if value is None else ("**met**" if value else "**not met**")


def _note(note: str) -> str:
    """A run's note as the document says it: exited processes counted by kind, late callbacks explained."""
    exited = re.fullmatch(r"exited during the level \(their CPU not counted\): (.*)", note)
    if exited:
        kinds = Counter(item.split()[0] for item in exited.group(1).split(", "))
        return (
            ", ".join(f"{n} {kind} process(es)" for kind, n in kinds.items())
            + " exited during the level; their CPU is not counted"
            + (
                " (PostgreSQL backends closed meanwhile, e.g. a pool's overflow connections: *postgres* is a lower bound)"
                if "postgres" in kinds
                else ""
            )
        )
    late = re.fullmatch(r"(\d+) unexpected callback POSTs", note)
    if late:
        return (
            f"{late.group(1)} late callbacks: answers the KakaoTalk channel sent to messages already counted as "
            "failed (nginx's 504 after its 10 s read timeout, or the load generator's 15 s timeout)"
        )
    return note


def _cores(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _header(report: dict[str, Any]) -> list[str]:
    m = report["machine"]
    load_start = float(report["loadavg_start"].split()[0])
    busy = [x for x in report["levels"] if float(x["loadavg_before"].split()[0]) > BUSY_LOAD]
    lines = ["## Production profile (issue 13)", ""]
    if report.get("quick"):
        lines += ["> **QUICK RUN — not representative.** A try-out of the benchmark; do not quote these figures.", ""]
    lines += [
        f"- **Date:** {report['date']}; the whole run took {report['runtime_seconds'] / 60:.1f} min (bound "
        f"{report['budget_minutes']:.0f} min), stack starts "
        + ", ".join(f"{STACKS[k].name} {v:.0f} s" for k, v in report["stack_start_seconds"].items())
        + ".",
        f"- **Machine:** {m['nproc']} cores ({m.get('cpu', '?')}), {m.get('ram_gb', '?')} GB RAM, {m['os']}, Python "
        f"{m['python']}, rasa {m.get('rasa', '?')}, nginx {report.get('nginx', '?')}, PostgreSQL and Redis of this "
        f"machine. Load generator, stacks, PostgreSQL and Redis all on these {m['nproc']} cores (loopback). Load "
        f"average {report['loadavg_start']} at the start, {report['loadavg_end']} at the end; before each level in "
        "the tables.",
    ]
    if load_start > BUSY_LOAD:
        lines.append(
            f"- **The machine was loaded by others** when the run started (1-minute load average "
            f"{report['loadavg_start'].split()[0]} on {m['nproc']} cores): latencies and msg/s are lower bounds of "
            "what it does alone; CPU per message is the stacks' own and is less affected."
        )
    else:
        lines.append(
            f"- The run started on a quiet machine (1-minute load average {report['loadavg_start'].split()[0]}). "
            "The load average before each level also counts this benchmark's own previous level; "
            f"{len(busy)} of {len(report['levels'])} levels started above {BUSY_LOAD:.0f}. The *Rasa waiting "
            "for a core* column shows the CPU contention each replica met, from whatever source."
        )
    lines += [
        "- **Stacks**, one after the other, each started fresh, warmed up with one KakaoTalk and one web "
        "conversation (not measured), then loaded:",
        "  - *run-prod, 2 replicas*: `scripts/run_prod.sh` as `make run-prod` runs it — nginx, 2 Rasa servers, "
        "2 action servers, the web app and the notification worker; PostgreSQL (its own fresh database) for "
        "conversations and complaints, Redis for the lock store and the KakaoTalk state.",
        "  - *run-prod, 1 replica*: the same with `SOTONG_RASA_REPLICAS=1`: one Rasa and one action server behind "
        "the same nginx; nothing else differs.",
        "  - *make run (one process, SQLite)*: Rasa, action server, web app and worker as `make run` starts them "
        "(`devkit/stack.py` plus the web app and worker), no nginx, SQLite.",
        "- **Residents:** half the users of a level are KakaoTalk residents (the 11-message conversation of the "
        "KakaoTalk benchmark below: questions, a 무단투기 report with a shared location and a photo, "
        "\"내 민원 조회\"; callbackUrl on every request), half are web residents (the page's real HTTP flow: "
        "`GET /` for the device and CSRF cookies, then `POST /api/chat/message` with them, the CSRF header and "
        "the page's Origin; 10 messages: the same questions and report typed, the 네 button's payload). Each "
        "user holds one conversation after another, a new resident each time, until the level's time is up.",
        f"- **Modes:** *paced*: a {fmt(report['think_seconds'][0])}–{fmt(report['think_seconds'][1])} s pause "
        "before each message (users arrive spread over the first pause); *back-to-back*: the next message leaves "
        "when the answer arrives. Level length: "
        + ", ".join(f"{mode} {secs:.0f} s" for mode, secs in report["level_seconds"].items())
        + " (no new message after that; answers in flight are awaited up to "
        f"{report['drain_cap_seconds']:.0f} s). Per-sender rate and filing limits and the web page's new-device "
        "budget are lifted (every simulated resident comes from 127.0.0.1 and files a report).",
        "",
    ]
    return lines


def _latency_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "| stack | mode | users | messages sent (Kakao / web) | answered msg/s | p50 (ms) | p95 (ms) | p99 (ms) | p95 Kakao / web "
        "(ms) | missed 5 s | useCallback | errors | receipts / conversations | load avg before |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["levels"]:
        k, w = s["by_channel"]["kakao"], s["by_channel"]["web"]
        done = sum(s["conversations"].values())
        lines.append(
            f"| {STACKS[s['stack']].name} | {s['mode']} | {s['users']} | {s['messages']} ({k['messages']} / "
            f"{w['messages']}) | {fmt(s['messages_per_second'])} | {fmt(s['p50_ms'])} | {fmt(s['p95_ms'])} "
            f"| {fmt(s['p99_ms'])} | {fmt(k['p95_ms'])} / {fmt(w['p95_ms'])} | {s['missed_deadlines']} "
            f"| {s['use_callback']} | {s['errors'] + s['page_load_errors']} | {sum(s['receipts'].values())} / {done} "
            f"| {s['loadavg_before'].split()[0]} |"
        )
    for mode, users, stack in report.get("skipped", []):
        lines.append(f"| {STACKS[stack].name} | {mode} | {users} | not run: time bound | | | | | | | | | | |")
    return lines


def _cpu_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "CPU per message (ms; user + system CPU of the processes during the level ÷ messages answered):",
        "",
        "| stack | mode | users | all stack processes | "
        + " | ".join(KINDS)
        + " | stack cores used | Rasa cores per replica | Rasa waiting for a core | load generator (ms/msg) "
        "| Redis, whole server (ms/msg) |",
        "|---|---|---:|---:|" + "---:|" * len(KINDS) + "---:|---:|---:|---:|---:|",
    ]
    for s in report["levels"]:
        per = s["cpu_ms_per_message"]
        lines.append(
            f"| {STACKS[s['stack']].name} | {s['mode']} | {s['users']} | **{fmt(s['stack_cpu_ms_per_message'])}** | "
            + " | ".join(fmt(per.get(k)) for k in KINDS)
            + f" | {_cores(s['stack_cores'])} | {_cores(s['rasa_cores_per_replica'])} "
            f"| {_share(s.get('rasa_waiting_for_core'))} | {fmt(s['client_cpu_ms_per_message'])}"
            f" | {fmt(per.get('redis'))} |"
        )
    return lines


def _targets(report: dict[str, Any]) -> list[str]:
    v = report["verdicts"]
    lines = [
        "### Targets (issue 13, item 4)",
        "",
        f"| target | {' | '.join(STACKS[k].name for k in report['stacks'])} |",
        "|---|" + "---|" * len(report["stacks"]),
    ]
    p95 = [v["p95"].get(k) for k in report["stacks"]]
    lines.append(
        f"| p95 < {TARGET_P95_MS:.0f} ms at {TARGET_P95_USERS} paced users | "
        + " | ".join("—" if x is None else f"{fmt(x['p95_ms'])} ms {_met(x['met'])}" for x in p95)
        + " |"
    )
    dl = [v["deadlines"].get(k) for k in report["stacks"]]
    lines.append(
        f"| zero missed 5 s deadlines at {TARGET_DEADLINE_USERS} paced users | "
        + " | ".join("—" if x is None else f"{x['missed']} missed {_met(x['met'])}" for x in dl)
        + " |"
    )
    scale = v["scale"]
    lines.append("")
    if scale:
        lines.append(
            f"Throughput, back-to-back, two replicas vs one (target ≥ {TARGET_SCALE}×): "
            f"{fmt(scale['two_replicas_msg_s'])} msg/s (at {scale['two_replicas_users']} users) vs "
            f"{fmt(scale['one_replica_msg_s'])} msg/s (at {scale['one_replica_users']} users) = "
            f"**{scale['ratio']:.2f}×** {_met(scale['met'])}. Each stack's best back-to-back level is compared."
        )
    else:
        lines.append(f"Throughput, two replicas vs one (target ≥ {TARGET_SCALE}×): not measured in this run.")
    return lines


def render_block(report: dict[str, Any]) -> str:
    lines = [MARK_START, *_header(report), *_latency_table(report), "", *_cpu_table(report), "", *_targets(report)]
    if report["limits"]:
        lines += ["", "### Where the limit is", "", *[f"- {x}" for x in report["limits"]]]
    notes = [
        f"{STACKS[s['stack']].name}, {s['mode']} {s['users']}: {_note(n)}" for s in report["levels"] for n in s["notes"]
    ]
    if notes:
        lines += ["", "Notes from the run:", "", *[f"- {n}" for n in notes]]
    lines += [
        "",
        "### How the figures are taken",
        "",
        "- *latency*: client-side wall time of one request (aiohttp, keep-alive, loopback): the KakaoTalk webhook "
        "POST (for a `useCallback` answer, the time to the acknowledgement) or the page's `POST /api/chat/message`. "
        "Nearest-rank percentiles over every message of the level, both channels together unless split. Page loads "
        "(`GET /`) are not messages; their errors are counted with the errors.",
        "- *msg/s*: messages answered (errors not counted) ÷ the level's wall time (pauses included in *paced*, "
        "so there it is the offered load unless the stack falls behind). A resident whose message failed waits "
        "1 s before the next.",
        "- *missed 5 s*: answers later than 5 s (Kakao's limit; web answers are held to the same), `useCallback` "
        "answers and failed requests. *errors*: no 200, an answer breaking Kakao's limits or with no messages, "
        "the connector's apology, a failed page load.",
        "- *CPU*: utime + stime from `/proc/<pid>/stat` of every process of the stack (found under its supervisor "
        "and classified by command line: rasa, actions, nginx master and worker, web app, notification worker) "
        "before and after the level. *postgres*: only the backends serving the stack's own database (the server is "
        "shared with other work on this machine; its WAL writer, checkpointer and background writer are not "
        "counted). *Redis*: the whole redis-server, shared likewise, shown apart and not in the stack's total. "
        "*stack cores used*: stack CPU seconds ÷ wall seconds. *Rasa waiting for a core*: the share of the "
        "level each replica's main thread (its event loop) was ready to run but had no core "
        "(`/proc/<pid>/schedstat`): time lost to other work on the machine, not to I/O. *load generator*: this "
        "benchmark's own process, per message, on the same cores.",
        "",
        "Reproduce: `make bench-prod`, or in the checkout `PYTHONPATH=. .venv/bin/python -m scripts.bench_prod` "
        "(`--quick` for a short try, `--stacks prod-1 prod-2` for a subset). Needs nginx (scripts/install_nginx.sh), "
        "PostgreSQL and Redis on loopback. Raw figures: `results/bench_prod.json`.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"
