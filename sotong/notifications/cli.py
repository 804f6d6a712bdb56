"""`sotong notifications ...`: run the outbox once or as a worker, look at it, re-queue."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import timedelta

from sotong.complaints import service
from sotong.db import session_scope
from sotong.handoff.alerts import deliver_due_alerts
from sotong.notifications.dispatcher import Backoff, deliver_due, requeue
from sotong.notifications.masking import mask_phones
from sotong.notifications.senders import sender_from_env
from sotong.privacy import cli as privacy_cli
from sotong.privacy.verification import send_pending_codes

# Verification codes are waited for in the chat: the worker looks for them this often,
# even when the outbox itself is only run every --interval seconds.
CODE_POLL_SECONDS = 2.0
PURGE_EVERY_SECONDS = 24 * 3600


def _seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment (docs/production.md), else ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = float(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def backoff_from_env() -> Backoff:
    """How long a message waits after the provider failed: SOTONG_NOTIFICATIONS_BACKOFF_SECONDS
    (first wait, doubling) up to SOTONG_NOTIFICATIONS_BACKOFF_CAP_SECONDS. A district whose
    provider has short outages may want 알림톡 sooner after it returns than the 1-hour cap."""
    default = Backoff()
    return Backoff(
        base=timedelta(seconds=_seconds("SOTONG_NOTIFICATIONS_BACKOFF_SECONDS", default.base.total_seconds())),
        cap=timedelta(seconds=_seconds("SOTONG_NOTIFICATIONS_BACKOFF_CAP_SECONDS", default.cap.total_seconds())),
    )


def _deliver_once(sender, limit: int, ignore_backoff: bool = False, quiet: bool = False) -> None:
    codes = send_pending_codes(sender)
    backoff = backoff_from_env()
    # 알림톡 for an officer's handoff lines (sotong/handoff/alerts.py), same sender and send rules.
    handoff = deliver_due_alerts(sender, limit=limit, backoff=backoff)
    report = deliver_due(sender, limit=limit, ignore_backoff=ignore_backoff, backoff=backoff)
    for status, count in handoff.by_status.items():
        report.by_status[status] = report.by_status.get(status, 0) + count
    report.retried += handoff.retried
    if codes:
        print(f"sender {sender.name}: {codes} verification code(s) handed over", flush=True)
    if quiet and not report.by_status and not report.retried:
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.by_status.items())) or "nothing due"
    print(f"sender {sender.name}: {counts}; {report.retried} to retry later", flush=True)


def _deliver(args) -> int:
    _deliver_once(sender_from_env(), args.limit, args.retry_now)
    return 0


def _guarded(what: str, fn) -> None:
    try:
        fn()
    except Exception as exc:  # a database hiccup must not end the worker; the outbox keeps everything
        print(f"notification worker ({what}): {exc.__class__.__name__}: {mask_phones(str(exc))[:300]}", flush=True)


def _worker(args) -> int:
    """Deliver due messages every --interval seconds, codes every few seconds, purge daily."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sender = sender_from_env()
    print(f"notification worker: sender {sender.name}, every {args.interval}s", flush=True)
    next_outbox = next_purge = 0.0
    while not stop.is_set():
        now = time.monotonic()
        if now >= next_outbox:
            _guarded("outbox", lambda: _deliver_once(sender, args.limit, quiet=True))
            next_outbox = now + args.interval
        else:
            _guarded("codes", lambda: send_pending_codes(sender))
        if args.purge_every > 0 and now >= next_purge:
            _guarded("purge", privacy_cli.purge_and_print)
            next_purge = now + args.purge_every
        stop.wait(min(args.interval, CODE_POLL_SECONDS))
    return 0


def _retry(args) -> int:
    count = requeue(args.ids)
    print(f"{count} notification(s) queued again (only unknown or failed ones are)")
    return 0


def _list(args) -> int:
    with session_scope() as s:
        rows = service.list_notifications(s, status=args.status)
    for n in rows:
        text = mask_phones(n.text).replace("\n", " / ")
        chat = "seen" if n.delivered_in_chat_at else "unseen"
        print(
            f"{n.id:>5} {n.receipt_no} {n.stage:<16} {n.status:<7} tries {n.attempts} "
            f"chat {chat:<6} {n.created_at:%m-%d %H:%M}  {text}"
        )
        if n.needs_checking:
            print(f"      unknown: {mask_phones(n.last_error or '')}")
    print(f"({len(rows)} notification{'s' if len(rows) != 1 else ''})")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("notifications", help="the outbox of stage messages")
    sub = p.add_subparsers(dest="notifications_command", required=True)
    c = sub.add_parser("deliver", help="send every due message once (AlimTalk if configured, else the log)")
    c.add_argument("--limit", type=int, default=100)
    c.add_argument("--retry-now", action="store_true", help="also retry messages waiting out a back-off")
    c.set_defaults(func=_deliver)
    c = sub.add_parser("worker", help="deliver due messages every --interval seconds until stopped")
    c.add_argument(
        "--interval",
        type=float,
        default=_seconds("SOTONG_NOTIFICATIONS_INTERVAL_SECONDS", 15.0),
        help="seconds between outbox runs (default: SOTONG_NOTIFICATIONS_INTERVAL_SECONDS or 15)",
    )
    c.add_argument("--limit", type=int, default=100)
    c.add_argument(
        "--purge-every",
        type=float,
        default=PURGE_EVERY_SECONDS,
        help="seconds between retention purges (0: never; `sotong privacy purge` by hand)",
    )
    c.set_defaults(func=_worker)
    c = sub.add_parser("list", help="messages in the outbox")
    c.add_argument("--status", choices=service.OUTBOX_STATUSES)
    c.set_defaults(func=_list)
    c = sub.add_parser("retry", help="queue unknown/failed messages again (after checking with the provider)")
    c.add_argument("ids", type=int, nargs="+")
    c.set_defaults(func=_retry)
