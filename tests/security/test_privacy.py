"""Finding 6 in the core, on SQLite and PostgreSQL: the retention purge (complaints,
residents' numbers, Rasa's tracker store), "알림톡 그만" removing the number everywhere,
and a phone number verified with a one-time code before any 알림톡 goes to it."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, select

from sotong.cli import main as sotong_main
from sotong.complaints import service
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.complaints.models import Complaint, ComplaintStatusChange, Resident
from sotong.complaints.residents import ResidentKey, withdraw_phone_consent
from sotong.db import session_scope
from sotong.notifications.config import AlimtalkConfig
from sotong.notifications.dispatcher import deliver_due
from sotong.notifications.models import SENT, SKIPPED, Notification
from sotong.notifications.senders import AlimtalkSender, LogOnlySender
from sotong.privacy.models import PhoneVerification
from sotong.privacy.retention import purge_personal_data
from sotong.privacy.verification import CodeCheck, confirm_phone_code, send_pending_codes, start_phone_verification
from sotong.residents.devices import mint_device, revoke_device
from sotong.residents.links import issue_code
from sotong.residents.models import LinkCode, WebDevice
from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.core.helpers import complaint_in, file

NOW = datetime(2026, 9, 21, 1, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=400)
PHONE = "010-1234-5678"
DIGITS = "01012345678"

# Rasa 3.6's SQLTrackerStore table, as Rasa creates it in the same database.
_rasa = MetaData()
EVENTS = Table(
    "events",
    _rasa,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@pytest.fixture
def events(core_db):
    _rasa.create_all(core_db)
    yield core_db
    _rasa.drop_all(core_db)  # the shared test database holds only Sotong's tables otherwise


def who() -> ResidentKey:
    return ResidentKey("kakao", "r-" + uuid.uuid4().hex[:8])


def add_events(engine, sender_id: str, at: datetime, *, user_text: str, slot_value=None):
    ts = at.timestamp()
    rows = [
        (
            "user",
            {
                "event": "user",
                "timestamp": ts,
                "text": user_text,
                "parse_data": {
                    "text": user_text,
                    "intent": {"name": "inform"},
                    "entities": [{"entity": "phone", "value": user_text}],
                },
            },
        ),
        ("bot", {"event": "bot", "timestamp": ts, "text": f"'{user_text}' 맞나요?", "data": {}}),
    ]
    if slot_value is not None:
        rows.append(("slot", {"event": "slot", "timestamp": ts, "name": "consent_phone", "value": slot_value}))
    with engine.begin() as conn:
        for type_name, data in rows:
            conn.execute(
                EVENTS.insert().values(sender_id=sender_id, type_name=type_name, timestamp=ts, data=json.dumps(data))
            )


def events_of(engine, sender_id: str) -> str:
    with engine.connect() as conn:
        rows = conn.execute(select(EVENTS.c.data).where(EVENTS.c.sender_id == sender_id)).scalars()
        return "\n".join(json.dumps(json.loads(d), ensure_ascii=False) for d in rows)


def consent(engine, key: ResidentKey, at: datetime = NOW):
    with session_scope(engine) as s:
        service.record_phone_consent(s, key, PHONE, purpose="민원 진행 알림", now=at)


# ── retention ──


def test_purge_removes_expired_personal_data_and_keeps_fresh_data_and_statistics(events):
    old_resident, fresh_resident, busy_resident = who(), who(), who()
    consent(events, old_resident, OLD)
    consent(events, busy_resident, OLD)
    old_receipt = complaint_in(events, S.COMPLETED, old_resident, OLD)
    fresh_receipt = complaint_in(events, S.COMPLETED, fresh_resident, NOW - timedelta(days=10))
    open_receipt = file(events, busy_resident, OLD)  # still received: the officer needs the address
    add_events(events, "kakao:gone", OLD, user_text=f"서곶로 123 앞 {PHONE}", slot_value=PHONE)
    add_events(events, "kakao:active", OLD, user_text="청라동 1-1 앞이에요")
    add_events(events, "kakao:active", NOW - timedelta(days=1), user_text="어제 신고한 거 어떻게 됐어요")
    with session_scope(events) as s:
        history_before = s.query(func.count(ComplaintStatusChange.id)).scalar()
        by_status_before = dict(s.query(Complaint.status, func.count()).group_by(Complaint.status).all())

    dry = purge_personal_data(now=NOW, days=365, dry_run=True)
    assert (dry.complaints_anonymised, dry.phones_deleted, dry.events.conversations_deleted) == (1, 1, 1)
    assert PHONE in events_of(events, "kakao:gone")  # a dry run changes nothing

    report = purge_personal_data(now=NOW, days=365)
    assert (report.complaints_anonymised, report.phones_deleted, report.events.conversations_deleted) == (1, 1, 1)

    with session_scope(events) as s:
        old = s.query(Complaint).filter_by(receipt_no=old_receipt).one()
        assert (old.address, old.description, old.photo_url, old.status) == ("", "", None, "completed")
        assert all(("resident:" not in c.actor) for c in old.history)
        assert s.query(Complaint).filter_by(receipt_no=fresh_receipt).one().address == "인천 서구 청라동 1-1"
        assert s.query(Complaint).filter_by(receipt_no=open_receipt).one().description
        assert s.query(func.count(ComplaintStatusChange.id)).scalar() == history_before
        assert dict(s.query(Complaint.status, func.count()).group_by(Complaint.status).all()) == by_status_before
        phones = {r.channel_user_id: r.phone for r in s.query(Resident)}
        assert phones[old_resident.user_id] is None
        assert phones[busy_resident.user_id] == DIGITS  # an open complaint: the number is still needed
        texts = [n.text for n in s.query(Notification).filter_by(complaint_id=old.id)]
        assert texts and all(t == "" for t in texts)
    assert events_of(events, "kakao:gone") == ""
    active = events_of(events, "kakao:active")
    assert "청라동 1-1" not in active and "어제 신고한 거" in active

    again = purge_personal_data(now=NOW, days=365)  # idempotent
    assert (again.complaints_anonymised, again.phones_deleted, again.events.conversations_deleted) == (0, 0, 0)


def test_retention_days_come_from_the_environment_then_the_profile(events, monkeypatch):
    key = who()
    complaint_in(events, S.COMPLETED, key, NOW - timedelta(days=40))
    assert purge_personal_data(now=NOW).complaints_anonymised == 0  # profile: 365 days
    monkeypatch.setenv("SOTONG_RETENTION_DAYS", "30")
    assert purge_personal_data(now=NOW).complaints_anonymised == 1


def test_purge_command(events, capsys):
    complaint_in(events, S.CANCELLED, who(), OLD)
    assert sotong_main(["privacy", "purge", "--dry-run"]) == 0
    assert "would: anonymise 1 closed complaint" in capsys.readouterr().out
    assert sotong_main(["privacy", "purge"]) == 0
    out = capsys.readouterr().out
    assert "did: anonymise 1 closed complaint" in out and "signed-out web device(s)" in out


def test_purge_deletes_expired_link_codes_and_devices_signed_out_a_month_ago(events):
    secret = "s" * 32
    with session_scope(events) as s:
        expired = mint_device(s, secret, "old phone", now=NOW - timedelta(days=60)).device
        fresh = mint_device(s, secret, "new phone", now=NOW - timedelta(days=60)).device
        live = mint_device(s, secret, "this phone", now=NOW - timedelta(days=60)).device
        revoke_device(s, expired.id, now=NOW - timedelta(days=31))
        revoke_device(s, fresh.id, now=NOW - timedelta(days=29))
        residents = [expired.resident_id, fresh.resident_id, live.resident_id]
        issue_code(s, live.resident_id, "web", secret, now=NOW - timedelta(minutes=11))  # expired
        issue_code(s, fresh.resident_id, "web", secret, now=NOW - timedelta(minutes=5))  # still open

    dry = purge_personal_data(now=NOW, days=365, dry_run=True)
    assert (dry.link_codes_deleted, dry.devices_deleted) == (1, 1)
    report = purge_personal_data(now=NOW, days=365)
    assert (report.link_codes_deleted, report.devices_deleted) == (1, 1)

    with session_scope(events) as s:
        left = {d.user_agent for d in s.query(WebDevice)}
        assert left == {"new phone", "this phone"}
        assert [c.resident_id for c in s.query(LinkCode)] == [fresh.resident_id]
        assert s.query(Resident).filter(Resident.id.in_(residents)).count() == 3  # residents stay
    again = purge_personal_data(now=NOW, days=365)
    assert (again.link_codes_deleted, again.devices_deleted) == (0, 0)


# ── "알림톡 그만" ──


def test_withdrawal_removes_the_number_from_the_tracker_store_outbox_and_codes(events):
    key = who()
    consent(events, key)
    file(events, key, NOW)  # a queued 알림톡 to that number
    with session_scope(events) as s:
        start_phone_verification(s, key, "010-9999-8888", "민원 진행 알림", NOW)  # a second number, pending
    add_events(events, "kakao:" + key.user_id, NOW, user_text=f"제 번호는 {PHONE} 이에요", slot_value=DIGITS)
    add_events(events, "kakao:" + key.user_id, NOW, user_text="+82 10 9999 8888")
    add_events(events, "kakao:someone-else", NOW, user_text="010-5555-6666")
    with session_scope(events) as s:
        withdraw_phone_consent(s, key, conversation_id="kakao:" + key.user_id)
    stored = events_of(events, "kakao:" + key.user_id)
    for form in (PHONE, DIGITS, "1234", "9999", "8888"):
        assert form not in stored
    assert "***-****-****" in stored
    assert "010-5555-6666" in events_of(events, "kakao:someone-else")
    with session_scope(events) as s:
        assert s.query(Resident).filter_by(channel_user_id=key.user_id).one().phone is None
        assert s.query(PhoneVerification).count() == 0
        assert s.query(Notification).one().targets == ["chat"]
    with FakeAlimtalkProvider() as provider:
        assert deliver_due(AlimtalkSender(AlimtalkConfig.from_env(provider.env())), NOW).by_status == {SKIPPED: 1}
        assert provider.requests == []


# ── one-time code ──


@pytest.fixture
def provider():
    with FakeAlimtalkProvider() as fake:
        yield fake


def code_sent_to(provider, phone_digits: str) -> str:
    bodies = [r["body"] for r in provider.requests if r["body"]["templateCode"] == "SOTONG_VERIFY_01"]
    (recipient,) = [b["recipientList"][0] for b in bodies if b["recipientList"][0]["recipientNo"] == phone_digits]
    return recipient["templateParameter"]["code"]


def test_no_alimtalk_goes_to_a_number_until_its_code_is_typed(core_db, provider):
    key = who()
    sender = AlimtalkSender(AlimtalkConfig.from_env(provider.env()))
    with session_scope(core_db) as s:
        start_phone_verification(s, key, PHONE, "민원 진행 알림", NOW)
    file(core_db, key, NOW)
    assert deliver_due(sender, NOW).by_status == {SKIPPED: 1}  # not verified yet: chat only
    assert send_pending_codes(sender, NOW) == 1
    assert send_pending_codes(sender, NOW) == 0  # sent once
    code = code_sent_to(provider, DIGITS)
    assert len(code) == 6 and code.isdigit()
    with session_scope(core_db) as s:
        row = s.query(PhoneVerification).one()
        assert row.code_to_send is None and code not in row.code_hash  # only a salted hash is kept
        assert s.query(Resident).filter_by(channel_user_id=key.user_id).one().phone is None
    wrong = "000000" if code != "000000" else "111111"
    with session_scope(core_db) as s:
        result = confirm_phone_code(s, key, wrong, NOW)
    assert (result.outcome, result.attempts_left) == (CodeCheck.WRONG, 4)
    with session_scope(core_db) as s:
        assert confirm_phone_code(s, key, code, NOW + timedelta(minutes=1)).outcome == CodeCheck.VERIFIED
    with session_scope(core_db) as s:
        assert confirm_phone_code(s, key, code, NOW + timedelta(minutes=1)).outcome == CodeCheck.NONE  # single use
        assert s.query(Resident).filter_by(channel_user_id=key.user_id).one().phone == DIGITS
    file(core_db, key, NOW + timedelta(minutes=2))
    assert deliver_due(sender, NOW + timedelta(minutes=2)).by_status == {SENT: 1}


def test_codes_expire_and_allow_five_tries(core_db, provider):
    sender = AlimtalkSender(AlimtalkConfig.from_env(provider.env()))
    late, guesser = who(), who()
    with session_scope(core_db) as s:
        start_phone_verification(s, late, PHONE, "알림", NOW)
        start_phone_verification(s, guesser, "010-2222-3333", "알림", NOW)
    send_pending_codes(sender, NOW)
    with session_scope(core_db) as s:
        code = code_sent_to(provider, DIGITS)
        assert confirm_phone_code(s, late, code, NOW + timedelta(minutes=11)).outcome == CodeCheck.EXPIRED
    right = code_sent_to(provider, "01022223333")
    wrong = "000000" if right != "000000" else "111111"
    outcomes = []
    for _ in range(5):
        with session_scope(core_db) as s:
            outcomes.append(confirm_phone_code(s, guesser, wrong, NOW).outcome)
    assert outcomes == [CodeCheck.WRONG] * 4 + [CodeCheck.LOCKED]
    with session_scope(core_db) as s:
        assert confirm_phone_code(s, guesser, right, NOW).outcome == CodeCheck.NONE  # the right code is void now
        assert s.query(Resident).filter(Resident.phone.isnot(None)).count() == 0


def test_without_a_provider_the_code_is_in_the_log_only_in_development(core_db, caplog, monkeypatch):
    key = who()
    with session_scope(core_db) as s:
        start_phone_verification(s, key, PHONE, "알림", NOW)
    caplog.set_level(logging.INFO, logger="sotong")
    with session_scope(core_db) as s:
        row = s.query(PhoneVerification).one()
        code = row.code_to_send
    assert send_pending_codes(LogOnlySender(), NOW) == 1
    assert code in caplog.text and "010-****-5678" in caplog.text and DIGITS not in caplog.text

    caplog.clear()
    monkeypatch.setenv("SOTONG_MODE", "production")
    with session_scope(core_db) as s:
        start_phone_verification(s, key, PHONE, "알림", NOW)
        code = s.query(PhoneVerification).one().code_to_send
    send_pending_codes(LogOnlySender(), NOW)
    assert "code not sent" in caplog.text and code not in caplog.text
