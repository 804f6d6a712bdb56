"""Running the outbox: claim what is due, send it with no transaction open, record each result.

Three short steps so a slow or broken provider can never hold the database:

1. **claim** — one short transaction marks due rows ``sending`` with this run's token
   (a conditional ``UPDATE … WHERE status = 'queued'``, so two workers never take the
   same row, on SQLite and PostgreSQL alike), reads what to send, commits. On
   PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``: a second worker takes the
   next due rows instead of waiting for the first one's and then finding them gone;
   SQLite's ``BEGIN IMMEDIATE`` (sotong.db) runs one claim at a time;
2. **send** — the HTTP calls, outside any transaction. Just before each one the claim is
   renewed (``claimed_at`` = now, only while the row is still ``sending`` under this
   token): a row another worker has meanwhile declared ``unknown`` is not sent, and the
   lease counts from the send, not from the claim. A run that has used half the lease
   gives its untouched rows back (``queued``) for the next run or another worker;
3. **record** — each message's result in its own transaction, guarded by the claim
   token, so one odd answer or a crash loses nothing already recorded.

Two workers on one database (several machines, or an overlap during a deploy) each
send a message at most once between them; tests/prod/test_two_workers.py runs two
worker processes on SQLite and on PostgreSQL.

Delivery is at most once. A message leaves ``queued`` only when claimed; after that it
becomes sent/logged/skipped, ``failed`` (refused for good), ``queued`` again when the
request certainly never reached the provider (back-off doubling from ``base`` up to
``cap``), or ``unknown`` when the provider may have it: an unreadable 2xx, a read
timeout, a connection dropped mid-answer, or a worker that died mid-send (a ``sending``
row older than ``LEASE``). Unknown rows are never re-sent on their own — a stage message
twice is worse than once late — staff see them in ``sotong notifications list`` and
re-queue them with ``sotong notifications retry``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from sotong.complaints.outbox import ALIMTALK, FAILED, QUEUED, SENDING, UNKNOWN, Notification
from sotong.db import session_scope
from sotong.deadlines import now_utc, to_db
from sotong.notifications.masking import mask_phones
from sotong.notifications.senders import (
    OutgoingMessage,
    PermanentSendError,
    Sender,
    TransientSendError,
    UncertainSendError,
)

log = logging.getLogger(__name__)

# Far longer than one HTTP call may take (connect 3 s + read 10 s): a row still
# ``sending`` after this belongs to a worker that died.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Backoff:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed try: base, 2×base, 4×base, ... up to cap."""
        return min(self.base * (2 ** max(attempts - 1, 0)), self.cap)


@dataclass
class DeliveryReport:
    by_status: dict[str, int] = field(default_factory=dict)
    retried: int = 0

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_status.values()) + self.retried


@dataclass(frozen=True)
class _Claimed:
    message: OutgoingMessage
    attempts: int


def _message(n: Notification) -> OutgoingMessage:
    resident = n.resident
    # Consent is checked now, not when queued: a withdrawn consent stops the push.
    phone = resident.phone if (ALIMTALK in (n.targets or []) and resident.phone and resident.phone_consent_at) else None
    return OutgoingMessage(
        notification_id=n.id,
        idempotency_key=n.idempotency_key,
        stage=n.stage,
        template_code=n.template_code,
        params=dict(n.params or {}),
        text=n.text,
        phone=phone,
    )


def new_claim_token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def expire_stale_claims(engine: Engine | None, at: datetime, lease: timedelta = LEASE) -> int:
    """``sending`` rows older than the lease: their worker died mid-send, outcome unknown."""
    with session_scope(engine) as s:
        result = s.execute(
            update(Notification)
            .where(Notification.status == SENDING, Notification.claimed_at < at - lease)
            .values(status=UNKNOWN, last_error="worker stopped during the send; the provider may have it")
            .execution_options(synchronize_session=False)
        )
        count = result.rowcount or 0
    if count:
        log.error(
            "%s notification(s) were being sent when a worker stopped: marked unknown, "
            "check with the provider and `sotong notifications retry`",
            count,
        )
    return count


def _claim(engine: Engine | None, at: datetime, limit: int, ignore_backoff: bool, token: str) -> list[_Claimed]:
    due_now = Notification.status == QUEUED
    if not ignore_backoff:
        due_now = due_now & (Notification.next_attempt_at <= at)
    with session_scope(engine) as s:
        ids = (
            s.execute(
                select(Notification.id)
                .where(due_now)
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
                # PostgreSQL: rows another worker is claiming right now are skipped, not
                # waited for. SQLite renders nothing here (its writers take turns).
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        # The WHERE status = 'queued' makes the claim exclusive whatever the database:
        # a row another worker took between our SELECT and this UPDATE is simply not ours.
        s.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status == QUEUED)
            .values(status=SENDING, claimed_by=token, claimed_at=at, attempts=Notification.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        rows = (
            s.execute(
                select(Notification)
                .where(Notification.claimed_by == token, Notification.status == SENDING)
                .order_by(Notification.next_attempt_at, Notification.id)
            )
            .unique()
            .scalars()
            .all()
        )
        return [_Claimed(_message(n), n.attempts) for n in rows]


def _update_claimed(engine: Engine | None, token: str, ids: list[int], statuses: list[str], values: dict) -> int:
    """Update the rows in ``ids`` that are still this run's claim (``claimed_by`` = ``token``) and in
    one of ``statuses``; how many were. Every write after a claim goes through here, so a row another
    worker or staff has taken over is never touched."""
    if not ids:
        return 0
    with session_scope(engine) as s:
        result = s.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.claimed_by == token, Notification.status.in_(statuses))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def _renew(engine: Engine | None, token: str, notification_id: int, at: datetime) -> bool:
    """Still ours and still unsent? Then the lease starts now. False: another worker
    declared it ``unknown`` (we took too long) or staff changed it: do not send."""
    return bool(_update_claimed(engine, token, [notification_id], [SENDING], {"claimed_at": at}))


def _give_back(engine: Engine | None, token: str, ids: list[int]) -> int:
    """Rows claimed by this run but never tried: queued again, the attempt not counted."""
    values = {"status": QUEUED, "claimed_by": None, "claimed_at": None, "attempts": Notification.attempts - 1}
    return _update_claimed(engine, token, ids, [SENDING], values)


def _record(engine: Engine | None, token: str, notification_id: int, values: dict) -> bool:
    """Write one result, only if the row is still this run's claim (an expired lease that
    already said ``unknown`` is overwritten by the real outcome)."""
    return bool(_update_claimed(engine, token, [notification_id], [SENDING, UNKNOWN], values))


def _attempt(sender: Sender, claimed: _Claimed, at: datetime, backoff: Backoff) -> dict:
    """Send one message and say what to store; never raises, whatever the provider does."""
    message = claimed.message
    try:
        delivery = sender.send(message)
    except TransientSendError as exc:
        error = mask_phones(str(exc))[:1000]
        log.warning(
            "notification %s: attempt %s failed (%s); retried later", message.notification_id, claimed.attempts, error
        )
        return {"status": QUEUED, "last_error": error, "next_attempt_at": at + backoff.delay(claimed.attempts)}
    except PermanentSendError as exc:
        error = mask_phones(str(exc))[:1000]
        log.error("notification %s refused by the provider: %s", message.notification_id, error)
        return {"status": FAILED, "last_error": error}
    except UncertainSendError as exc:
        error = mask_phones(str(exc))[:1000]
        log.error(
            "notification %s: the provider may have it (%s); marked unknown, not re-sent",
            message.notification_id,
            error,
        )
        return {"status": UNKNOWN, "last_error": error}
    except Exception as exc:  # a sender bug: whether anything went out is unknown
        error = mask_phones(f"{type(exc).__name__}: {exc}")[:1000]
        log.exception("notification %s: sender error; marked unknown", message.notification_id)
        return {"status": UNKNOWN, "last_error": error}
    return {
        "status": delivery.status,
        "provider_request_id": delivery.provider_request_id,
        "sent_at": at,
        "last_error": None,
    }


def deliver_due(
    sender: Sender,
    now: datetime | None = None,
    *,
    engine: Engine | None = None,
    limit: int = 100,
    backoff: Backoff = Backoff(),
    ignore_backoff: bool = False,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Claim every queued message whose time has come (oldest first), send, record each.

    Manages its own short transactions — call it with no transaction open.
    ``ignore_backoff`` retries waiting messages at once (an operator who knows the
    provider is back up should not have to wait out the back-off).
    """
    at = to_db(now or now_utc())
    report = DeliveryReport()
    for _ in range(expire_stale_claims(engine, at, lease)):
        report.count(UNKNOWN)
    token = new_claim_token()
    claimed_all = _claim(engine, at, limit, ignore_backoff, token)
    started = time.monotonic()
    for index, claimed in enumerate(claimed_all):
        if time.monotonic() - started > lease.total_seconds() / 2:
            # A slow provider: stop before another worker could take our unsent rows for
            # dead ones (``expire_stale_claims``) and hand them to staff as unknown.
            rest = [c.message.notification_id for c in claimed_all[index:]]
            log.warning("slow sending: %s notification(s) given back for the next run", _give_back(engine, token, rest))
            break
        sending_at = at if now is not None else to_db(now_utc())
        if not _renew(engine, token, claimed.message.notification_id, sending_at):
            log.warning("notification %s: no longer this run's claim; not sent", claimed.message.notification_id)
            continue
        values = _attempt(sender, claimed, at, backoff)
        if not _record(engine, token, claimed.message.notification_id, values):
            log.error(
                "notification %s: result %s not recorded (claim lost)",
                claimed.message.notification_id,
                values["status"],
            )
            continue
        if values["status"] == QUEUED:
            report.retried += 1
        else:
            report.count(values["status"])
    return report


def requeue(ids: Iterable[int], now: datetime | None = None, *, engine: Engine | None = None) -> int:
    """Staff decided: send these ``unknown``/``failed`` messages again (now)."""
    ids = list(ids)
    if not ids:
        return 0
    with session_scope(engine) as s:
        result = s.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status.in_([UNKNOWN, FAILED]))
            .values(status=QUEUED, next_attempt_at=to_db(now or now_utc()), claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0
