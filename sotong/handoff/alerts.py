"""알림톡 for officer lines: KakaoTalk cannot push, so a resident who consented with a
verified phone gets one 알림톡 saying an officer answered, and reads the line in the
channel (it waits in ``handoff_message`` for their next message).

At most one per request per ``QUIET`` (a conversation of ten quick lines is one alert,
not ten). Queued in the officer's transaction (``queue.say``); sent by
``deliver_due_alerts`` with the complaint outbox's sender and its rules for outcomes
(sotong.notifications.dispatcher: a send that may have reached the provider is
``unknown``, never re-sent on its own). The web page needs none: it has a live stream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sotong.complaints.outbox import QUEUED, SENDING
from sotong.complaints.residents import ResidentKey, find_resident
from sotong.db import session_scope
from sotong.deadlines import now_utc, to_db
from sotong.handoff.models import HandoffAlert, HandoffRequest
from sotong.notifications.dispatcher import Backoff, DeliveryReport, _attempt, _Claimed, new_claim_token
from sotong.notifications.senders import OutgoingMessage, Sender
from sotong.settings import load_settings

log = logging.getLogger(__name__)

QUIET = timedelta(minutes=10)
STAGE = "officer_reply"  # the key under ``handoff:`` in the district's notifications.yml
PUSH_CHANNELS = {"kakao"}  # the web page streams officer lines live


@dataclass(frozen=True)
class AlertTemplate:
    code: str
    text: str


def alert_template(path: Path | None = None) -> AlertTemplate:
    path = Path(path or load_settings().district_dir / "notifications.yml")
    return _load(str(path.resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> AlertTemplate:
    with open(path, encoding="utf-8") as fh:
        entry = ((yaml.safe_load(fh) or {}).get("handoff") or {}).get(STAGE) or {}
    template = AlertTemplate(code=str(entry.get("code", "")).strip(), text=str(entry.get("text", "")).strip())
    if not template.code or not template.text or "#{" in template.text:
        raise ValueError(f"{path}: handoff.{STAGE} needs a code and a text without parameters")
    return template


def queue_alert(session: Session, request: HandoffRequest, now: datetime | None = None) -> HandoffAlert | None:
    """Queue the 알림톡 for an officer's line, unless the resident cannot or need not get one."""
    if request.channel not in PUSH_CHANNELS:
        return None
    resident = find_resident(session, ResidentKey(request.channel, request.resident_ref))
    # record_phone_consent stores a number only once it is verified
    if resident is None or not resident.phone or not resident.phone_consent_at:
        return None
    at = to_db(now or now_utc())
    recent = session.execute(
        select(HandoffAlert.id)
        .where(HandoffAlert.request_id == request.id, HandoffAlert.created_at > at - QUIET)
        .limit(1)
    ).first()
    if recent is not None:
        return None
    try:
        template = alert_template()
    except (OSError, ValueError):  # the officer's line is kept; only the alert is lost
        log.exception("handoff.alert.template")
        return None
    alert = HandoffAlert(
        request_id=request.id,
        resident_id=resident.id,
        template_code=template.code,
        params={},
        text=template.text,
        status=QUEUED,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
        idempotency_key=f"sotong-handoff-{request.id}-{at:%Y%m%dT%H%M%S%f}",
    )
    session.add(alert)
    session.flush()
    return alert


def _message(alert: HandoffAlert, phone: str | None) -> OutgoingMessage:
    return OutgoingMessage(
        notification_id=alert.id,
        idempotency_key=alert.idempotency_key,
        stage=STAGE,
        template_code=alert.template_code,
        params=dict(alert.params or {}),
        text=alert.text,
        phone=phone,
    )


def _claim(engine: Engine | None, at: datetime, limit: int, token: str) -> list[_Claimed]:
    from sotong.complaints.models import Resident

    with session_scope(engine) as s:
        ids = (
            s.execute(
                select(HandoffAlert.id)
                .where(HandoffAlert.status == QUEUED, HandoffAlert.next_attempt_at <= at)
                .order_by(HandoffAlert.id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        s.execute(  # WHERE status = 'queued': a row another worker took is not ours
            update(HandoffAlert)
            .where(HandoffAlert.id.in_(ids), HandoffAlert.status == QUEUED)
            .values(status=SENDING, claimed_by=token, claimed_at=at, attempts=HandoffAlert.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        rows = s.execute(
            select(HandoffAlert, Resident)
            .join(Resident, Resident.id == HandoffAlert.resident_id)
            .where(HandoffAlert.claimed_by == token, HandoffAlert.status == SENDING)
            .order_by(HandoffAlert.id)
        ).all()
        # consent is checked now, not when queued: a withdrawn consent stops the push
        return [_Claimed(_message(a, r.phone if r.phone and r.phone_consent_at else None), a.attempts) for a, r in rows]


def deliver_due_alerts(
    sender: Sender,
    now: datetime | None = None,
    *,
    engine: Engine | None = None,
    limit: int = 100,
    backoff: Backoff = Backoff(),
) -> DeliveryReport:
    """Send every due officer-line 알림톡 once; call with no transaction open."""
    at = to_db(now or now_utc())
    report = DeliveryReport()
    token = new_claim_token()
    for claimed in _claim(engine, at, limit, token):
        values = _attempt(sender, claimed, at, backoff)
        with session_scope(engine) as s:
            s.execute(
                update(HandoffAlert)
                .where(HandoffAlert.id == claimed.message.notification_id, HandoffAlert.claimed_by == token)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if values["status"] == QUEUED:
            report.retried += 1
        else:
            report.count(values["status"])
    return report
