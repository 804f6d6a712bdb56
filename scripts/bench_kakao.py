"""KakaoTalk channel benchmark: simulated Kakao users against /webhooks/kakao/webhook (issue 4).

Starts its own stack (tests/e2e/stack.py: the real action server + Rasa server with the root
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
touched) and the raw figures to results/bench_kakao.json.

    cd /work/main && PYTHONPATH=. .venv/bin/python -m scripts.bench_kakao [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web

from connectors.kakao import payloads
from connectors.kakao.config import DEFAULT_SECRET_HEADER, KAKAO_TIME_LIMIT_SECONDS
from connectors.kakao.limits import response_violations
from connectors.kakao.texts import load_texts
from scripts.benchdoc import replace_block

ROOT = Path(__file__).resolve().parent.parent
MARK_START = "<!-- bench:kakao:start -->"
MARK_END = "<!-- bench:kakao:end -->"
RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")

LEVELS = (1, 10, 50)
# Conversations each user holds per level (count bound); fewer users hold more so that every
# level has a few hundred messages at most and the 1-user figures are not from a handful.
CONVERSATIONS = {1: 3, 10: 2, 50: 1}
THINK_SECONDS = (2.0, 6.0)
LEVEL_TIME_CAP = 170.0  # seconds: no new message after this (time bound)
REQUEST_TIMEOUT = 15.0  # Kakao gives up at 5 s; we wait longer to see how late it is
CALLBACK_TIMEOUT = 60.0  # the callbackUrl's validity
TARGET_USERS = 50
TARGET_P95_MS = 500.0

ADDRESSES = ("인천 서구 청라커낼로 252", "인천 서구 서곶로 123", "인천 서구 가정로 45", "인천 서구 완정로 227")
PHOTO = "https://talk.kakaocdn.net/dna/bench/{user}/evidence.jpg?credential=bench"
CONFIRM = {"label": "네, 접수해 주세요", "action": "message", "messageText": "네, 접수해 주세요",
           "extra": {"payload": "/affirm"}}


def conversation(user_id: str, rng: random.Random) -> List[Tuple[str, Dict[str, Any]]]:
    """(step name, skill request) of one resident's session, as Kakao would deliver them."""
    return [
        ("greeting", payloads.skill_request("안녕하세요", user_id)),
        ("waste_bags", payloads.skill_request("청라동 쓰레기봉투 어디서 사요", user_id)),
        ("bulky_waste", payloads.skill_request("소파 버리려면 얼마예요", user_id)),
        ("passport", payloads.skill_request("여권 발급 필요서류", user_id)),
        ("office_hours", payloads.skill_request("구청 몇 시까지 해요", user_id)),
        ("report_start", payloads.skill_request("무단투기 신고할게요", user_id)),
        ("report_location", payloads.location_request(rng.choice(ADDRESSES), user_id)),
        ("report_description", payloads.skill_request("쓰레기봉투가 일주일째 쌓여서 냄새가 나요", user_id)),
        ("report_photo", payloads.photo_request(PHOTO.format(user=user_id), user_id)),
        ("report_confirm", payloads.quick_reply_request(CONFIRM, user_id)),
        ("status", payloads.skill_request("내 민원 조회", user_id)),
    ]


def say(msg: str) -> None:
    print(f"[bench_kakao {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- callback receiver


class Receiver:
    """Kakao's callback endpoint on loopback: resolves one future per callbackUrl."""

    # One fixed port for the whole run: the stack allows callbacks only to hosts it is told
    # (KAKAO_CALLBACK_HOSTS), so the receiver must be where the stack expects it.
    port_for_run = 0

    def __init__(self) -> None:
        self.waiting: Dict[str, "asyncio.Future[Tuple[float, Dict[str, Any]]]"] = {}
        self.unexpected = 0
        self._runner: Optional[web.AppRunner] = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/callback/{token}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", Receiver.port_for_run)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def new_url(self) -> Tuple[str, "asyncio.Future[Tuple[float, Dict[str, Any]]]"]:
        token = uuid.uuid4().hex
        future: "asyncio.Future[Tuple[float, Dict[str, Any]]]" = asyncio.get_running_loop().create_future()
        self.waiting[token] = future
        return f"http://127.0.0.1:{self.port}/callback/{token}", future

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        future = self.waiting.pop(request.match_info["token"], None)
        if future is None or future.done():
            self.unexpected += 1
        else:
            future.set_result((time.monotonic(), body))
        return web.json_response({"taskId": request.match_info["token"], "status": "SUCCESS"})


# --------------------------------------------------------------------------- one level


@dataclass
class Sample:
    step: str
    seconds: float  # webhook response time
    status: int  # HTTP status, 0 = connection error / timeout
    use_callback: bool = False
    callback_seconds: Optional[float] = None  # request sent -> callback received
    invalid: bool = False
    apology: bool = False


@dataclass
class LevelResult:
    mode: str
    users: int
    think_seconds: Tuple[float, float]
    conversations_planned: int
    samples: List[Sample] = field(default_factory=list)
    conversations_done: int = 0
    receipts: int = 0
    wall_seconds: float = 0.0
    timed_out: bool = False
    server_cpu_seconds: Optional[float] = None
    notes: List[str] = field(default_factory=list)
    transcript: List[Dict[str, str]] = field(default_factory=list)  # filled in the warm-up only


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


async def run_user(session: aiohttp.ClientSession, url: str, headers: Dict[str, str], receiver: Receiver,
                   result: LevelResult, index: int, stop_at: float, apology: str, rng: random.Random) -> None:
    for round_no in range(result.conversations_planned // result.users):
        user_id = f"bench-{result.mode[:1]}{result.users}-{index}-{round_no}-{uuid.uuid4().hex[:8]}"
        receipt: Optional[str] = None
        for position, (step, body) in enumerate(conversation(user_id, rng)):
            low, high = result.think_seconds
            if high > 0:
                # Paced users also arrive spread over one pause (a ramp-up), not all in the same
                # millisecond: a synchronised first message is a load-generator artefact.
                await asyncio.sleep(rng.uniform(low, high) if (position or round_no) else rng.uniform(0.0, high))
            if time.monotonic() >= stop_at:
                result.timed_out = True
                return
            callback_url, future = receiver.new_url()
            body["userRequest"]["callbackUrl"] = callback_url
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sample = Sample(step=step, seconds=0.0, status=0)
            started = time.monotonic()
            answer: Optional[Dict[str, Any]] = None
            try:
                async with session.post(url, data=data, headers=headers) as reply:
                    answer = await reply.json(content_type=None)
                    sample.status = reply.status
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass
            sample.seconds = time.monotonic() - started
            if answer is not None:
                sample.invalid = bool(response_violations(answer))
                if answer.get("useCallback"):
                    sample.use_callback = True
                    try:
                        at, answer = await asyncio.wait_for(future, CALLBACK_TIMEOUT)
                        sample.callback_seconds = at - started
                        sample.invalid = sample.invalid or bool(response_violations(answer))
                    except asyncio.TimeoutError:
                        answer = None
                if answer is not None:
                    text = payloads.response_texts(answer)
                    sample.apology = apology in text
                    if result.mode == "warm-up":
                        result.transcript.append({"step": step, "answer": text[:160]})
                    if step == "report_confirm":
                        found = RECEIPT.search(text)
                        receipt = found.group(1) if found else None
            receiver.waiting.pop(callback_url.rsplit("/", 1)[-1], None)
            result.samples.append(sample)
        result.conversations_done += 1
        result.receipts += receipt is not None


def cpu_seconds(pids: Sequence[int]) -> Optional[float]:
    """utime + stime of the server processes (and their waited-for children), from /proc."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / ticks
    except (OSError, ValueError, IndexError):
        return None


async def run_level(url: str, headers: Dict[str, str], mode: str, users: int, think: Tuple[float, float],
                    pids: Sequence[int], apology: str, seed: int) -> LevelResult:
    result = LevelResult(mode=mode, users=users, think_seconds=think,
                         conversations_planned=users * CONVERSATIONS.get(users, 1))
    receiver = Receiver()
    await receiver.start()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=users + 5)
    cpu_before = cpu_seconds(pids)
    started = time.monotonic()
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            stop_at = started + LEVEL_TIME_CAP
            await asyncio.gather(*(run_user(session, url, headers, receiver, result, i, stop_at, apology,
                                            random.Random(seed * 1000 + i)) for i in range(users)))
    finally:
        result.wall_seconds = time.monotonic() - started
        await receiver.stop()
    cpu_after = cpu_seconds(pids)
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu_seconds = cpu_after - cpu_before
    if receiver.unexpected:
        result.notes.append(f"{receiver.unexpected} unexpected callback POSTs")
    return result


def summarize(result: LevelResult) -> Dict[str, Any]:
    samples = result.samples
    times = [s.seconds for s in samples]
    ok = [s for s in samples if s.status == 200 and not s.invalid and not s.apology]
    late = [s for s in samples if s.seconds > KAKAO_TIME_LIMIT_SECONDS]
    callbacks = [s for s in samples if s.use_callback]
    errors = [s for s in samples if s.status != 200 or s.invalid or s.apology]
    cb_times = [s.callback_seconds for s in callbacks if s.callback_seconds is not None]
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    per_step: Dict[str, List[float]] = {}
    for s in samples:
        per_step.setdefault(s.step, []).append(s.seconds)
    return {
        "mode": result.mode,
        "users": result.users,
        "think_seconds": list(result.think_seconds),
        "messages": len(samples),
        "answered_ok": len(ok),
        "conversations_planned": result.conversations_planned,
        "conversations_done": result.conversations_done,
        "receipts": result.receipts,
        "wall_seconds": round(result.wall_seconds, 2),
        "messages_per_second": round(len(samples) / result.wall_seconds, 2) if result.wall_seconds else None,
        "p50_ms": ms(percentile(times, 50)),
        "p95_ms": ms(percentile(times, 95)),
        "p99_ms": ms(percentile(times, 99)),
        "max_ms": ms(max(times) if times else None),
        "over_5s": len(late),
        "missed_deadlines": len([s for s in samples
                                 if s.seconds > KAKAO_TIME_LIMIT_SECONDS or s.use_callback or s.status != 200]),
        "use_callback": len(callbacks),
        "callback_answer_p95_ms": ms(percentile(cb_times, 95)),
        "callback_missing": len([s for s in callbacks if s.callback_seconds is None]),
        "errors": len(errors),
        "errors_http": len([s for s in samples if s.status != 200]),
        "errors_invalid": len([s for s in samples if s.invalid]),
        "errors_apology": len([s for s in samples if s.apology]),
        "timed_out": result.timed_out,
        "server_cpu_seconds": None if result.server_cpu_seconds is None else round(result.server_cpu_seconds, 1),
        "server_cpu_ms_per_message": (round(result.server_cpu_seconds * 1000 / len(samples), 1)
                                      if result.server_cpu_seconds is not None and samples else None),
        "p95_ms_by_step": {k: ms(percentile(v, 95)) for k, v in per_step.items()},
        "notes": result.notes,
    }


def verdict(summary: Dict[str, Any]) -> Dict[str, Any]:
    missed = summary["missed_deadlines"]  # each message once: over 5 s, useCallback or no 200
    p95 = summary["p95_ms"]
    complete = not summary["timed_out"] and summary["messages"] > 0
    return {
        "missed_deadlines": missed,
        "p95_ms": p95,
        "zero_missed": missed == 0,
        "p95_ok": p95 is not None and p95 < TARGET_P95_MS,
        "met": complete and missed == 0 and p95 is not None and p95 < TARGET_P95_MS and summary["errors"] == 0,
    }


# --------------------------------------------------------------------------- machine


def machine() -> Dict[str, Any]:
    info: Dict[str, Any] = {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                            "platform": platform.platform(), "python": platform.python_version()}
    try:
        mem = Path("/proc/meminfo").read_text()
        info["ram_gb"] = round(int(re.search(r"MemTotal:\s+(\d+)", mem).group(1)) / 1024 / 1024, 1)  # type: ignore[union-attr]
    except (OSError, AttributeError):
        info["ram_gb"] = None
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", cpu)
        info["cpu"] = found.group(1).strip() if found else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        info["rasa"] = importlib.metadata.version("rasa")
        info["sanic"] = importlib.metadata.version("sanic")
    except importlib.metadata.PackageNotFoundError:
        pass
    return info


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --------------------------------------------------------------------------- document


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}{unit}" if value >= 100 else f"{value:.1f}{unit}"
    return f"{value}{unit}"


def render_block(report: Dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        MARK_START,
        "## KakaoTalk channel (`/webhooks/kakao/webhook`)",
        "",
    ]
    if report.get("quick"):
        lines += ["> **QUICK RUN — not representative.** Smoke test of the benchmark only; do not quote these figures.", ""]
    lines += [
        f"- **Date:** {report['date']} (bench runtime {report['runtime_seconds'] / 60:.1f} min, stack start "
        f"{report['stack_start_seconds']:.0f} s)",
        f"- **Machine:** {m['nproc']} cores ({m.get('cpu', '?')}), {m.get('ram_gb', '?')} GB RAM, {m['platform']}, "
        f"Python {m['python']}, rasa {m.get('rasa', '?')}, sanic {m.get('sanic', '?')}; load average "
        f"{report['loadavg_start']} at start, {report['loadavg_end']} at end. Client, Rasa server, action server "
        f"and callback receiver all on this machine (loopback).",
        "- **Set-up:** `tests/e2e/stack.py` stack: one `rasa run` (model `models/sotong.tar.gz`, root "
        "`credentials.yml`: Kakao channel, reply deadline 4.5 s, secret header checked) + one action server; "
        "SQLite for conversations and complaints (the default `DATABASE_URL`).",
        "- **Conversation** (11 messages, a new resident id each time): greeting → waste bags in 청라동 → bulky-waste "
        "fee → passport documents → office hours → \"무단투기 신고할게요\" → shared location → description → photo "
        "(secure-image plugin) → tap \"네, 접수해 주세요\" → \"내 민원 조회\" (files one complaint per conversation). "
        "Every request has a callbackUrl (loopback receiver); a `useCallback` answer is awaited before the next message.",
        f"- **Modes:** *paced*: a {THINK_SECONDS[0]:.0f}–{THINK_SECONDS[1]:.0f} s pause (uniform) before each message, "
        f"a resident reading and typing (users arrive spread over the first 0–{THINK_SECONDS[1]:.0f} s); *back-to-back*: no pause, each user's next message leaves as soon as the "
        "answer arrives, all users starting at once (stress: N requests always in flight). Conversations per user: "
        + ", ".join(f"{n} at {u} user{'s' if u > 1 else ''}" for u, n in report["conversations_per_user"].items())
        + f"; no new message after {LEVEL_TIME_CAP:.0f} s per level.",
        "",
        "| mode | users | messages | msg/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | over 5 s | useCallback "
        "| errors | receipts / conversations | server CPU per msg (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["levels"]:
        cap = " (time cap hit)" if s["timed_out"] else ""
        lines.append(
            f"| {s['mode']} | {s['users']} | {s['messages']}{cap} | {fmt(s['messages_per_second'])} | {fmt(s['p50_ms'])} "
            f"| {fmt(s['p95_ms'])} | {fmt(s['p99_ms'])} | {fmt(s['max_ms'])} | {s['over_5s']} | {s['use_callback']}"
            + (f" (answer p95 {fmt(s['callback_answer_p95_ms'])} ms)" if s["use_callback"] else "")
            + f" | {s['errors']} | {s['receipts']} / {s['conversations_done']} | {fmt(s['server_cpu_ms_per_message'])} |"
        )
    lines += [
        "",
        f"### Target (issue 4): zero missed deadlines and p95 < {TARGET_P95_MS:.0f} ms at {report['target']['users']} users",
        "",
        "| mode | missed deadlines (messages over 5 s, useCallback or no 200) | p95 (ms) | errors | met? |",
        "|---|---:|---:|---:|---|",
    ]
    for mode, v in report["verdicts"].items():
        s = next(x for x in report["levels"] if x["mode"] == mode and x["users"] == report["target"]["users"])
        lines.append(f"| {mode} | {v['missed_deadlines']} | {fmt(v['p95_ms'])} | {s['errors']} | "
                     f"**{'met' if v['met'] else 'not met'}** |")
    stress = [x for x in report["levels"] if x["mode"] == "back-to-back"]
    if stress:
        top = max(stress, key=lambda x: x["users"])
        lines += [
            "",
            f"Throughput ceiling (back-to-back, {top['users']} users): {fmt(top['messages_per_second'])} msg/s at "
            f"{fmt(top['server_cpu_ms_per_message'])} ms of server CPU per message.",
        ]
        if top["over_5s"]:
            lines.append(
                f"{top['over_5s']} answers took longer than 5 s although the channel answers (or sends `useCallback`) "
                f"by {report['reply_deadline_seconds']} s on its own clock: on a saturated server the request waits "
                "on Rasa's single event loop (busy with other residents' NLU/policy inference and synchronous "
                "tracker-store writes) before the handler starts and after its deadline fires, time the channel "
                "cannot see. Capacity, not the channel's logic, is the limit there."
            )
    lines += [
        "",
        "### How the figures are taken",
        "",
        "- *latency*: client-side wall time of one webhook POST (aiohttp, keep-alive, loopback), i.e. what Kakao "
        "waits for; for a `useCallback` answer that is the time to the acknowledgement. p50/p95/p99 are nearest-rank "
        "over every message of the level.",
        "- *msg/s*: messages answered during the level / the level's wall time (pauses included in *paced*).",
        "- *over 5 s*: responses slower than Kakao's 5 s limit (Kakao would show an error). *useCallback*: the "
        "answer missed the 4.5 s deadline and was delivered by callback (in brackets: time from request to "
        "callback); both count as missed deadlines for the target.",
        "- *errors*: non-200 or no response, a response breaking `connectors.kakao.limits`, or the connector's "
        "apology. *receipts*: conversations whose confirmation answer held a receipt number.",
        "- *server CPU per msg*: user+system CPU of the Rasa and action server processes during the level / messages.",
        "",
        "Reproduce: `cd /work/main && PYTHONPATH=. .venv/bin/python -m scripts.bench_kakao` (`--quick` for a smoke "
        "test). Raw figures (per-step p95 too): `results/bench_kakao.json`.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, block: str) -> None:
    replace_block(path, MARK_START, MARK_END, block)


# --------------------------------------------------------------------------- main


async def warm_up(url: str, headers: Dict[str, str]) -> List[Dict[str, str]]:
    """One sequential conversation (not measured): loads the model's graphs and the caches."""
    result = LevelResult(mode="warm-up", users=1, think_seconds=(0.0, 0.0), conversations_planned=1)
    receiver = Receiver()
    await receiver.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            await run_user(session, url, headers, receiver, result, 0, time.monotonic() + 120,
                           load_texts().internal_error, random.Random(0))
    finally:
        await receiver.stop()
    bad = [s for s in result.samples if s.status != 200 or s.invalid]
    if bad or result.receipts != 1:
        raise RuntimeError(f"warm-up conversation failed: {[asdict(s) for s in bad]}, receipts {result.receipts}")
    return result.transcript


def main(argv: Optional[Sequence[str]] = None) -> int:
    global LEVEL_TIME_CAP
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 and 2 users, one conversation, short pauses")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_kakao.json")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (server logs, database)")
    args = ap.parse_args(argv)

    from tests.e2e.stack import RasaStack  # the same harness as the e2e tests

    levels: Sequence[int] = LEVELS
    modes = [("paced", THINK_SECONDS), ("back-to-back", (0.0, 0.0))]
    if args.quick:
        levels = (1, 2)
        CONVERSATIONS.clear()
        CONVERSATIONS.update({1: 1, 2: 1})
        modes = [("paced", (0.1, 0.3)), ("back-to-back", (0.0, 0.0))]
        LEVEL_TIME_CAP = 60.0

    began = time.monotonic()
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_start = loadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench_kakao_"))
    Receiver.port_for_run = free_port()
    stack = RasaStack(tmp, extra_env={
        # Loopback callbacks are refused by default (connectors/kakao/callback_policy.py).
        "KAKAO_CALLBACK_HOSTS": f"127.0.0.1:{Receiver.port_for_run}", "KAKAO_CALLBACK_ALLOW_HTTP": "1",
        # Simulated residents file many reports; the per-resident filing limit is not what is measured.
        "SOTONG_FILING_LIMIT_PER_HOUR": "0", "SOTONG_FILING_LIMIT_PER_DAY": "0",
        # Nor is the per-sender message rate limit (30/min): back-to-back users exceed it by design.
        "SOTONG_MESSAGE_RATE": "100000/1",
    })
    say(f"starting the stack in {tmp} ...")
    t0 = time.monotonic()
    stack.start()
    stack_start = time.monotonic() - t0
    say(f"stack up in {stack_start:.0f} s at {stack.rasa_url}")
    url = stack.rasa_url + "/webhooks/kakao/webhook"
    headers = {"Content-Type": "application/json", DEFAULT_SECRET_HEADER: stack.kakao_secret}
    pids = list(stack.pids().values())
    apology = load_texts().internal_error
    summaries: List[Dict[str, Any]] = []
    try:
        transcript = asyncio.run(warm_up(url, headers))
        say("warm-up conversation done")
        seed = 1
        for mode, think in modes:
            for users in levels:
                say(f"{mode}: {users} user(s) ...")
                result = asyncio.run(run_level(url, headers, mode, users, think, pids, apology, seed))
                seed += 1
                summary = summarize(result)
                summaries.append(summary)
                say(f"  {summary['messages']} msgs in {summary['wall_seconds']} s, p50 {summary['p50_ms']} ms, "
                    f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, >5s {summary['over_5s']}, "
                    f"useCallback {summary['use_callback']}, errors {summary['errors']}, "
                    f"receipts {summary['receipts']}/{summary['conversations_done']}")
    finally:
        stack.stop()
        if args.keep_tmp:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    target_users = TARGET_USERS if TARGET_USERS in levels else max(levels)
    verdicts = {mode: verdict(next(s for s in summaries if s["mode"] == mode and s["users"] == target_users))
                for mode, _ in modes}
    report = {
        "date": date,
        "quick": args.quick,
        "machine": machine(),
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
        "stack_start_seconds": round(stack_start, 1),
        "runtime_seconds": round(time.monotonic() - began, 1),
        "conversations_per_user": {u: CONVERSATIONS.get(u, 1) for u in levels},
        "think_seconds": {mode: list(think) for mode, think in modes},
        "level_time_cap_seconds": LEVEL_TIME_CAP,
        "kakao_time_limit_seconds": KAKAO_TIME_LIMIT_SECONDS,
        "reply_deadline_seconds": 4.5,
        "warm_up_transcript": transcript,
        "target": {"users": target_users, "p95_ms_below": TARGET_P95_MS, "missed_deadlines": 0},
        "levels": summaries,
        "verdicts": verdicts,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_doc(args.doc, render_block(report))
    for mode, v in verdicts.items():
        say(f"target at {target_users} users ({mode}): missed {v['missed_deadlines']}, p95 {v['p95_ms']} ms -> "
            f"{'met' if v['met'] else 'not met'}")
    say(f"wrote {args.json} and the kakao block of {args.doc} in {report['runtime_seconds'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
