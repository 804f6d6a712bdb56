"""The inbox of misunderstood messages, read from Rasa's tracker store in plain SQL.

A resident's message is in the inbox when the bot probably did not understand it:

- ``low_confidence``: the NLU's top intent scored below the threshold
  (SOTONG_STUDIO_CONFIDENCE, default 0.6; Rasa's own fallback cuts at 0.45 in config.yml);
- ``fallback``: the NLU said ``nlu_fallback`` or the fallback menu answered;
- ``handoff``: the resident asked for a person (or the bot handed over after failing);
- ``abandoned_form``: the resident left a form (a report, the 동 question …) with slots
  still missing — the message shown is their last one inside the form.

Texts are masked (sotong.studio.masking) before they leave this module, together with the
values the bot collected in that conversation (a report's address, a phone being
verified). Conversation ids never leave it either: pages name a message by its event id.
Messages staff already taught or dismissed (``studio_review``) are left out.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from sotong.studio import grouping
from sotong.studio.change_models import StudioReview
from sotong.studio.masking import mask

EVENTS = "events"  # Rasa's SQLTrackerStore table (never a table of ours)
LOW_CONFIDENCE, FALLBACK, HANDOFF, ABANDONED = "low_confidence", "fallback", "handoff", "abandoned_form"
REASONS = (LOW_CONFIDENCE, FALLBACK, HANDOFF, ABANDONED)
FALLBACK_INTENTS = {"nlu_fallback"}
FALLBACK_ACTIONS = {"action_fallback_menu", "action_default_fallback", "action_two_stage_fallback"}
HANDOFF_INTENTS = {"request_human"}
HANDOFF_ACTIONS = {"action_request_human"}
# Slots holding what a resident told the bot about themselves: masked wherever they recur.
PERSONAL_SLOTS = ("report_address", "edit_value", "consent_phone", "consent_code")


@dataclass(frozen=True)
class InboxSettings:
    confidence: float = 0.6
    days: int = 30
    form_idle_minutes: int = 30
    max_events: int = 50_000  # the newest ones: a page, not a report

    @classmethod
    def from_env(cls) -> InboxSettings:
        def number(name: str, default: float, low: float, high: float) -> float:
            try:
                value = float(os.environ.get(name, "") or default)
            except ValueError:
                return default
            return min(max(value, low), high)

        return cls(
            confidence=number("SOTONG_STUDIO_CONFIDENCE", 0.6, 0.0, 1.0),
            days=int(number("SOTONG_STUDIO_INBOX_DAYS", 30, 1, 365)),
            form_idle_minutes=int(number("SOTONG_STUDIO_FORM_IDLE_MINUTES", 30, 1, 24 * 60)),
        )


@dataclass
class Message:
    event_id: int
    conversation_id: str  # stays on the server
    at: datetime  # aware UTC
    text: str  # masked
    intent: str | None
    confidence: float | None
    reasons: set[str] = field(default_factory=set)
    form: str | None = None


@dataclass(frozen=True)
class InboxGroup:
    id: int  # the newest member's event id: how pages name the group
    text: str
    count: int
    conversations: int
    last_at: datetime
    intents: tuple[tuple[str, int], ...]  # predicted intent -> members, most common first
    confidence: float | None  # the lowest among members
    reasons: tuple[str, ...]
    forms: tuple[str, ...]
    member_ids: tuple[int, ...]


def has_events(session: Session) -> bool:
    return inspect(session.connection()).has_table(EVENTS)


def _json(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else (raw or {})
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parse_data(event: dict[str, Any]) -> dict[str, Any]:
    parse = event.get("parse_data")
    return parse if isinstance(parse, dict) else {}


def _prediction(parse: dict[str, Any]) -> tuple[str | None, float | None]:
    """The intent the NLU meant: the best one other than nlu_fallback, with its confidence."""
    ranking = [r for r in parse.get("intent_ranking") or [] if isinstance(r, dict)]
    found = parse.get("intent")
    top: dict[str, Any] = found if isinstance(found, dict) else {}
    candidates = [top, *ranking]
    for c in candidates:
        name = c.get("name") if isinstance(c, dict) else None
        if name and name not in FALLBACK_INTENTS:
            conf = c.get("confidence")
            return str(name), float(conf) if isinstance(conf, (int, float)) else None
    return (str(top.get("name")) if top.get("name") else None), None


def _rows(session: Session, since: float, limit: int, sender: str | None = None) -> list[Any]:
    where = "timestamp >= :since" + (" AND sender_id = :sender" if sender is not None else "")
    sql = (
        f"SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM {EVENTS} "
        f"WHERE {where} ORDER BY id DESC LIMIT :limit"
    )
    params: dict[str, Any] = {"since": since, "limit": limit}
    if sender is not None:
        params["sender"] = sender
    rows = session.execute(text(sql), params).all()
    return sorted(rows, key=lambda r: r[0])


class _Walk:
    """One conversation read in order: which of its user messages the bot did not get."""

    def __init__(self, settings: InboxSettings, required: dict[str, tuple[str, ...]], now: float) -> None:
        self.settings, self.required, self.now = settings, required, now
        self.found: dict[int, Message] = {}
        self.known: list[str] = []
        self.last_user: Message | None = None
        self.form: str | None = None
        self.form_last: Message | None = None
        self.slots: dict[str, Any] = {}
        self.last_at = 0.0

    def user(self, row: Any, event: dict[str, Any]) -> None:
        raw = event.get("text")
        if not isinstance(raw, str) or not raw.strip() or raw.startswith("/"):
            self.last_user = None  # a button payload: the resident chose, nothing to misunderstand
            return
        parse = _parse_data(event)
        intent, confidence = _prediction(parse)
        top = (parse.get("intent") or {}).get("name") if isinstance(parse.get("intent"), dict) else None
        msg = Message(row[0], row[1], _aware(row[3]), raw, intent, confidence)
        if top in FALLBACK_INTENTS:
            msg.reasons.add(FALLBACK)
        if confidence is not None and confidence < self.settings.confidence:
            msg.reasons.add(LOW_CONFIDENCE)
        if top in HANDOFF_INTENTS:
            msg.reasons.add(HANDOFF)
        self.last_user = msg
        if self.form:
            self.form_last = msg
        if msg.reasons:
            self.found[msg.event_id] = msg

    def action(self, name: str | None) -> None:
        if self.last_user is None or not name:
            return
        if name in FALLBACK_ACTIONS:
            self.last_user.reasons.add(FALLBACK)
        elif name in HANDOFF_ACTIONS:
            self.last_user.reasons.add(HANDOFF)
        else:
            return
        self.found[self.last_user.event_id] = self.last_user

    def active_loop(self, name: Any) -> None:
        if name:
            if name != self.form:
                self.form, self.form_last = str(name), None
            return
        if self.form and any(self.slots.get(s) in (None, "") for s in self.required.get(self.form, ())):
            self._abandoned()
        self.form, self.form_last = None, None

    def slot(self, event: dict[str, Any]) -> None:
        name, value = event.get("name"), event.get("value")
        if isinstance(name, str):
            self.slots[name] = value
            if name in PERSONAL_SLOTS and isinstance(value, str):
                self.known.append(value)

    def _abandoned(self) -> None:
        if self.form_last is not None:
            self.form_last.reasons.add(ABANDONED)
            self.form_last.form = self.form
            self.found[self.form_last.event_id] = self.form_last

    def end(self) -> list[Message]:
        idle = self.now - self.last_at >= self.settings.form_idle_minutes * 60
        if self.form and idle:
            self._abandoned()
        for m in self.found.values():
            m.text = mask(m.text, self.known)
        return list(self.found.values())


def _aware(ts: Any) -> datetime:
    return datetime.fromtimestamp(float(ts or 0), tz=timezone.utc)


def messages(
    session: Session,
    settings: InboxSettings,
    required_slots: dict[str, tuple[str, ...]],
    now: datetime | None = None,
) -> list[Message]:
    """Every misunderstood message in the window, newest first, masked, not yet reviewed."""
    if not has_events(session):
        return []
    now_ts = (now or datetime.now(timezone.utc)).timestamp()
    since = now_ts - timedelta(days=settings.days).total_seconds()
    walks: dict[str, _Walk] = {}
    for row in _rows(session, since, settings.max_events):
        walk = walks.setdefault(row[1], _Walk(settings, required_slots, now_ts))
        walk.last_at = max(walk.last_at, float(row[3] or 0))
        event = _json(row[6])
        kind = row[2]
        if kind == "user":
            walk.user(row, event)
        elif kind == "action":
            walk.action(row[5] or event.get("name"))
        elif kind == "active_loop":
            walk.active_loop(event.get("name"))
        elif kind == "slot":
            walk.slot(event)
    found = [m for w in walks.values() for m in w.end()]
    reviewed = set(session.execute(select(StudioReview.event_id)).scalars())
    return sorted((m for m in found if m.event_id not in reviewed), key=lambda m: m.event_id, reverse=True)


def grouped(found: Iterable[Message], reason: str | None = None) -> list[InboxGroup]:
    """Near-identical messages as one group each, the newest group first."""
    chosen = [m for m in found if reason is None or reason in m.reasons]
    out = []
    for g in grouping.group(chosen, lambda m: m.text):
        members: list[Message] = g.members
        intents = Counter(m.intent or "?" for m in members)
        confidences = [m.confidence for m in members if m.confidence is not None]
        out.append(
            InboxGroup(
                id=members[0].event_id,
                text=members[0].text,
                count=len(members),
                conversations=len({m.conversation_id for m in members}),
                last_at=members[0].at,
                intents=tuple(intents.most_common()),
                confidence=min(confidences) if confidences else None,
                reasons=tuple(r for r in REASONS if any(r in m.reasons for m in members)),
                forms=tuple(sorted({m.form for m in members if m.form})),
                member_ids=tuple(m.event_id for m in members),
            )
        )
    return out


def find_group(groups: Iterable[InboxGroup], group_id: int) -> InboxGroup | None:
    """The group a page named, by its id or any member's (the inbox may have moved on)."""
    for g in groups:
        if g.id == group_id or group_id in g.member_ids:
            return g
    return None
