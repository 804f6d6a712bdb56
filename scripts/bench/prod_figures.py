"""The production benchmark's figures: per level, the verdicts on issue 13's targets, and what the
CPU profile says the limit is where a target is missed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.kakao.config import KAKAO_TIME_LIMIT_SECONDS
from devkit.timing import percentile
from scripts.bench.kakao_load import Sample
from scripts.bench.prod_load import CHANNELS, LevelRun
from scripts.bench.prod_plan import STACKS, TARGET_DEADLINE_USERS, TARGET_P95_MS, TARGET_P95_USERS, TARGET_SCALE

KINDS = ("rasa", "actions", "nginx", "web", "worker", "postgres")  # redis: whole server, shown apart


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def missed(sample: Sample) -> bool:
    """Kakao shows an error after 5 s; a `useCallback` answer or a failed request misses it too.
    A web answer later than 5 s is held to the same deadline."""
    return sample.seconds > KAKAO_TIME_LIMIT_SECONDS or sample.use_callback or sample.status != 200


def failed(sample: Sample) -> bool:
    return sample.status != 200 or sample.invalid or sample.apology


def latency(samples: Sequence[Sample]) -> dict[str, Any]:
    times = [s.seconds for s in samples]
    return {
        "messages": len(samples),
        "p50_ms": _ms(percentile(times, 50)),
        "p95_ms": _ms(percentile(times, 95)),
        "p99_ms": _ms(percentile(times, 99)),
        "max_ms": _ms(max(times) if times else None),
        "missed_deadlines": sum(map(missed, samples)),
        "over_5s": sum(s.seconds > KAKAO_TIME_LIMIT_SECONDS for s in samples),
        "use_callback": sum(s.use_callback for s in samples),
        "errors": sum(map(failed, samples)),
        "errors_http": sum(s.status != 200 for s in samples),
    }


def summarize(run: LevelRun, stack: str, replicas: int, loadavg_before: str) -> dict[str, Any]:
    everything = [s for c in CHANNELS for s in run.samples[c]]
    answered = sum(not failed(s) for s in everything)  # msg/s and CPU per message count answers, not attempts
    wall = run.wall_seconds or None
    cpu = run.cpu
    per_kind = {k: round(v, 2) for k, v in sorted(cpu.by_kind.items())} if cpu else {}
    stack_seconds = cpu.stack_seconds if cpu else None
    per_msg = lambda s: None if s is None or not answered else round(s * 1000 / answered, 1)  # noqa: E731
    return {
        "stack": stack,
        "replicas": replicas,
        "mode": run.level.mode,
        "users": run.level.users,
        "users_by_channel": {"kakao": (run.level.users + 1) // 2, "web": run.level.users // 2},
        "think_seconds": list(run.level.think),
        "level_seconds": run.level.seconds,
        "loadavg_before": loadavg_before,
        "wall_seconds": round(run.wall_seconds, 1),
        "answered": answered,
        "messages_per_second": round(answered / wall, 2) if wall else None,
        **latency(everything),
        "by_channel": {c: latency(run.samples[c]) for c in CHANNELS},
        "page_loads": len(run.page_loads),
        "page_load_p95_ms": _ms(percentile([p.seconds for p in run.page_loads], 95)),
        "page_load_errors": sum(map(failed, run.page_loads)),
        "conversations": dict(run.conversations),
        "receipts": dict(run.receipts),
        "unfinished": run.unfinished,
        "cpu_seconds": per_kind,
        "stack_cpu_seconds": None if stack_seconds is None else round(stack_seconds, 2),
        "stack_cpu_ms_per_message": per_msg(stack_seconds),
        "cpu_ms_per_message": {k: per_msg(v) for k, v in per_kind.items()},
        "stack_cores": round(stack_seconds / cpu.seconds, 2) if cpu and cpu.seconds else None,
        "rasa_cores_per_replica": (
            round(cpu.by_kind.get("rasa", 0.0) / cpu.seconds / replicas, 2) if cpu and cpu.seconds else None
        ),
        "rasa_waiting_for_core": (
            round(cpu.waited_by_kind.get("rasa", 0.0) / cpu.seconds / replicas, 2) if cpu and cpu.seconds else None
        ),
        "client_cores": round(cpu.client / cpu.seconds, 2) if cpu and cpu.seconds else None,
        "client_cpu_ms_per_message": per_msg(cpu.client if cpu else None),
        "notes": run.notes,
    }


def find(levels: Sequence[dict[str, Any]], stack: str, mode: str, users: int) -> dict[str, Any] | None:
    return next((x for x in levels if x["stack"] == stack and x["mode"] == mode and x["users"] == users), None)


def peak_throughput(levels: Sequence[dict[str, Any]], stack: str) -> dict[str, Any] | None:
    """The back-to-back level with the most messages per second."""
    rows = [x for x in levels if x["stack"] == stack and x["mode"] == "back-to-back" and x["messages_per_second"]]
    return max(rows, key=lambda x: x["messages_per_second"], default=None)


def verdicts(levels: Sequence[dict[str, Any]], stacks: Sequence[str]) -> dict[str, Any]:
    """Each target per stack; None where the level was not run."""
    out: dict[str, Any] = {"p95": {}, "deadlines": {}, "scale": None}
    for stack in stacks:
        row = find(levels, stack, "paced", TARGET_P95_USERS)
        out["p95"][stack] = None if row is None else {"p95_ms": row["p95_ms"], "met": _p95_met(row)}
        row = find(levels, stack, "paced", TARGET_DEADLINE_USERS)
        out["deadlines"][stack] = (
            None if row is None else {"missed": row["missed_deadlines"], "met": row["missed_deadlines"] == 0}
        )
    one, two = peak_throughput(levels, "prod-1"), peak_throughput(levels, "prod-2")
    if one and two:
        ratio = two["messages_per_second"] / one["messages_per_second"]
        out["scale"] = {
            "one_replica_msg_s": one["messages_per_second"],
            "one_replica_users": one["users"],
            "two_replicas_msg_s": two["messages_per_second"],
            "two_replicas_users": two["users"],
            "ratio": round(ratio, 2),
            "met": ratio >= TARGET_SCALE,
        }
    return out


def _p95_met(row: dict[str, Any]) -> bool:
    return row["p95_ms"] is not None and row["p95_ms"] < TARGET_P95_MS and row["errors"] == 0


def limits(levels: Sequence[dict[str, Any]], stacks: Sequence[str], cores: int) -> list[str]:
    """What the CPU profile shows, in sentences: each stack's throughput ceiling, then the reason for
    each target missed."""
    lines = [_ceiling(top, cores) for top in (peak_throughput(levels, s) for s in stacks) if top]
    verdict = verdicts(levels, stacks)
    for stack in stacks:
        for key, users in (("p95", TARGET_P95_USERS), ("deadlines", TARGET_DEADLINE_USERS)):
            row = find(levels, stack, "paced", users)
            if row and verdict[key].get(stack) and not verdict[key][stack]["met"]:
                lines.append(_busy(row, cores, key))
    one, two = peak_throughput(levels, "prod-1"), peak_throughput(levels, "prod-2")
    if verdict["scale"] and one and two:
        lines.append(_scale_bound(one, two, cores))
    return lines


def _ceiling(top: dict[str, Any], cores: int) -> str:
    per_msg = top["stack_cpu_ms_per_message"] or 0.0
    rasa_ms = top["cpu_ms_per_message"].get("rasa") or 0.0
    text = (
        f"*{STACKS[top['stack']].name}*, back-to-back at {top['users']} users: {top['messages_per_second']:.1f} msg/s "
        f"× {per_msg:.0f} ms of stack CPU per message = {top['stack_cores']:.2f} cores (Rasa {rasa_ms:.0f} ms/msg, "
        f"{top['rasa_cores_per_replica']:.2f} cores per replica; the load generator {top['client_cores']:.2f} "
        f"cores; load average before {top['loadavg_before'].split()[0]})."
    )
    if per_msg:
        text += (
            f" At that cost {cores} cores serve at most {cores * 1000 / per_msg:.0f} msg/s with nothing else running"
        )
        text += (
            "; each Rasa replica is close to the one core its event loop can use."
            if (top["rasa_cores_per_replica"] or 0) >= 0.8
            else "."
        )
    return text


def _busy(row: dict[str, Any], cores: int, target: str) -> str:
    """Why a paced level missed its target: how busy each Rasa replica and the machine were."""
    rasa_ms = row["cpu_ms_per_message"].get("rasa") or 0.0
    busy = row["rasa_cores_per_replica"] or 0.0
    load = float(row["loadavg_before"].split()[0])  # includes this benchmark's previous level
    what = f"p95 {row['p95_ms']:,.0f} ms" if target == "p95" else f"{row['missed_deadlines']} missed deadlines"
    text = (
        f"*{STACKS[row['stack']].name}*, {row['users']} paced users ({what}): they offered "
        f"{row['messages_per_second']:.1f} msg/s; at {rasa_ms:.0f} ms of Rasa CPU per message each replica's "
        f"event loop was busy {busy:.0%} of the time, and the stack used {row['stack_cores']:.2f} of {cores} cores "
        f"(load average {load:.1f} before the level)."
    )
    waiting = row.get("rasa_waiting_for_core")
    if waiting is not None:
        text += (
            f" Each replica's event loop was ready to run but waiting for a core {waiting:.0%} of the time, "
            f"and neither running nor waiting for a core the remaining {max(0.0, 1 - busy - waiting):.0%} "
            "(idle, or blocked on I/O: the tracker store, the lock store and Redis are called synchronously)."
        )
    if busy >= 0.5:
        text += " Messages queue behind each other on the busy event loop: the wait, not the work, makes the tail."
    if (waiting or 0.0) >= 0.1:
        text += (
            " The cores were short too: other processes (the stack's own, the load generator, other work) held them."
        )
    return text


def _scale_bound(one: dict[str, Any], two: dict[str, Any], cores: int) -> str:
    """The best two replicas can do over one on this machine: one replica is held to one core by its
    event loop; two share the machine's cores with everything else a message costs."""
    rasa_ms = one["cpu_ms_per_message"].get("rasa") or 0.0
    stack_ms = one["stack_cpu_ms_per_message"] or 0.0
    if not rasa_ms or not stack_ms:
        return "*Two replicas vs one*: no CPU figures to explain the ratio."
    one_max, two_max = 1000 / rasa_ms, min(2000 / rasa_ms, cores * 1000 / stack_ms)
    return (
        f"*Two replicas vs one*: a message costs {stack_ms:.0f} ms of CPU, {rasa_ms:.0f} ms of it in Rasa. One "
        f"replica's event loop can use one core, so one replica tops out near {one_max:.0f} msg/s (its Rasa used "
        f"{one['rasa_cores_per_replica']:.2f} cores here); two replicas are bounded by all {cores} cores for the "
        f"whole stack, {two_max:.0f} msg/s: at best ≈{two_max / one_max:.2f}× on an idle machine, before the load "
        f"generator ({two['client_cores']:.2f} cores here) and other work take their share. Measured: "
        f"{two['messages_per_second'] / one['messages_per_second']:.2f}×, two replicas' stack using "
        f"{two['stack_cores']:.2f} cores. Beyond that a second replica needs cores this machine does not have."
    )
