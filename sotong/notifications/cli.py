"""`sotong notifications ...`: run the outbox once, look at what is queued."""
from __future__ import annotations

import signal
import threading

from sqlalchemy import select

from sotong.db import session_scope
from sotong.deadlines import to_kst
from sotong.notifications.dispatcher import deliver_due
from sotong.notifications.masking import mask_phones
from sotong.notifications.models import FAILED, LOGGED, QUEUED, SENT, SKIPPED, Notification
from sotong.notifications.senders import sender_from_env


def _deliver_once(sender, limit: int, ignore_backoff: bool = False, quiet: bool = False) -> None:
    with session_scope() as s:
        report = deliver_due(s, sender, limit=limit, ignore_backoff=ignore_backoff)
    if quiet and not report.by_status and not report.retried:
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.by_status.items())) or "nothing due"
    print(f"sender {sender.name}: {counts}; {report.retried} to retry later", flush=True)


def _deliver(args) -> int:
    _deliver_once(sender_from_env(), args.limit, args.retry_now)
    return 0


def _worker(args) -> int:
    """Deliver due messages every few seconds until stopped (what `make run` starts)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sender = sender_from_env()
    print(f"notification worker: sender {sender.name}, every {args.interval}s", flush=True)
    while not stop.is_set():
        try:
            _deliver_once(sender, args.limit, quiet=True)
        except Exception as exc:  # a database hiccup must not end the worker; the outbox keeps everything
            print(f"notification worker: {exc.__class__.__name__}: {mask_phones(str(exc))}", flush=True)
        stop.wait(args.interval)
    return 0


def _list(args) -> int:
    with session_scope() as s:
        stmt = select(Notification).order_by(Notification.id)
        if args.status:
            stmt = stmt.where(Notification.status == args.status)
        rows = s.execute(stmt).unique().scalars().all()
        for n in rows:
            text = mask_phones(n.text).replace("\n", " / ")
            chat = "seen" if n.delivered_in_chat_at else "unseen"
            print(f"{n.id:>5} {n.complaint.receipt_no} {n.stage:<16} {n.status:<7} tries {n.attempts} "
                  f"chat {chat:<6} {to_kst(n.created_at):%m-%d %H:%M}  {text}")
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
    c.add_argument("--interval", type=float, default=15.0)
    c.add_argument("--limit", type=int, default=100)
    c.set_defaults(func=_worker)
    c = sub.add_parser("list", help="messages in the outbox")
    c.add_argument("--status", choices=[QUEUED, SENT, LOGGED, SKIPPED, FAILED])
    c.set_defaults(func=_list)
