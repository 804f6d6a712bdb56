"""Running the outbox: send what is due, retry failures later with exponential back-off.

Nothing is lost in an outage: a message leaves the ``queued`` state only when the
sender accepted it (sent/logged/skipped) or the provider refused it for good
(``failed``, with the reason kept). Transient failures are retried for as long as it
takes, the wait doubling from ``base`` up to ``cap``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.notifications.masking import mask_phones
from sotong.notifications.models import FAILED, QUEUED, Notification
from sotong.notifications.outbox import ALIMTALK
from sotong.notifications.senders import OutgoingMessage, PermanentSendError, Sender, TransientSendError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed try: base, 2×base, 4×base, ... up to cap."""
        return min(self.base * (2 ** max(attempts - 1, 0)), self.cap)


@dataclass
class DeliveryReport:
    by_status: Dict[str, int] = field(default_factory=dict)
    retried: int = 0

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_status.values()) + self.retried


def _message(n: Notification) -> OutgoingMessage:
    resident = n.resident
    # Consent is checked now, not when queued: a withdrawn consent stops the push.
    phone = resident.phone if (ALIMTALK in (n.targets or []) and resident.phone and resident.phone_consent_at) else None
    return OutgoingMessage(notification_id=n.id, idempotency_key=n.idempotency_key, stage=n.stage,
                           template_code=n.template_code, params=dict(n.params or {}), text=n.text, phone=phone)


def deliver_due(
    session: Session,
    sender: Sender,
    now: Optional[datetime] = None,
    *,
    limit: int = 100,
    backoff: Backoff = Backoff(),
    ignore_backoff: bool = False,
) -> DeliveryReport:
    """Try every queued message whose time has come, oldest first; the caller commits.

    ``ignore_backoff`` retries waiting messages at once (an operator who knows the
    provider is back up should not have to wait out the back-off).
    """
    at = to_db(now or now_utc())
    due_now = Notification.status == QUEUED
    if not ignore_backoff:
        due_now = due_now & (Notification.next_attempt_at <= at)
    due = session.execute(
        select(Notification)
        .where(due_now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        # Two dispatchers at once (cron overlap) each take different rows on PostgreSQL.
        .with_for_update(skip_locked=True, of=Notification)
    ).unique().scalars().all()
    report = DeliveryReport()
    for notification in due:
        notification.attempts += 1
        try:
            delivery = sender.send(_message(notification))
        except TransientSendError as exc:
            notification.next_attempt_at = at + backoff.delay(notification.attempts)
            notification.last_error = mask_phones(str(exc))[:1000]
            report.retried += 1
            log.warning("notification %s: attempt %s failed (%s); next try at %s UTC",
                        notification.id, notification.attempts, notification.last_error,
                        notification.next_attempt_at)
            continue
        except PermanentSendError as exc:
            notification.status = FAILED
            notification.last_error = mask_phones(str(exc))[:1000]
            report.count(FAILED)
            log.error("notification %s refused by the provider: %s", notification.id, notification.last_error)
            continue
        notification.status = delivery.status
        notification.provider_request_id = delivery.provider_request_id
        notification.sent_at = at
        notification.last_error = None
        report.count(delivery.status)
    session.flush()
    return report
