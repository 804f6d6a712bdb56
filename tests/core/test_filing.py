"""Filing exactly once: a retried, double-tapped or racing submission files one complaint."""
from __future__ import annotations

import threading
import uuid

import pytest

from sotong.complaints import service
from sotong.complaints.errors import InvalidComplaintInput, UnknownReference
from sotong.complaints.models import Complaint, Resident
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.models import Notification
from tests.core.helpers import count_rows, counts


def _file(engine, who, key, now, **kw):
    with session_scope(engine) as s:
        return service.file_complaint(
            s, who, category=kw.get("category", "illegal_parking"), address="인천 서구 봉오대로 100",
            description="인도 위 불법주차", photo_url=kw.get("photo_url"), seen_at="오늘 아침 8시",
            idempotency_key=key, now=now)


def test_filing_sets_status_route_deadline_and_one_message(core_db, resident, now):
    result = _file(core_db, resident, "k-1", now)
    v = result.complaint
    assert result.created and v.status == "received"
    assert (v.category_code, v.category_name) == ("illegal_parking", "불법주정차")
    assert v.department_name is None  # routed when staff assign it
    assert v.due_text == "2026-10-01"  # 7 working days across 추석
    assert v.seen_at == "오늘 아침 8시" and not v.overdue
    assert [e.status for e in v.timeline] == ["received"] and v.timeline[0].actor == resident.actor
    assert counts(core_db, v.receipt_no) == (1, 1)


def test_same_key_twice_returns_the_same_complaint(core_db, resident, now):
    first = _file(core_db, resident, "double-tap", now)
    second = _file(core_db, resident, "double-tap", now)
    assert first.created and not second.created
    assert first.complaint.receipt_no == second.complaint.receipt_no
    assert count_rows(core_db, Complaint) == 1
    assert count_rows(core_db, Notification) == 1


def test_the_key_is_per_resident(core_db, resident, stranger, now):
    mine = _file(core_db, resident, "same-key", now)
    theirs = _file(core_db, stranger, "same-key", now)
    assert mine.complaint.receipt_no != theirs.complaint.receipt_no and theirs.created


@pytest.mark.parametrize("round_", range(4))
def test_racing_submissions_file_once(core_db, now, round_):
    """Eight requests with the same key at the same moment, for a resident not yet known
    (so the resident row races too). The unique constraints decide."""
    who = ResidentKey("kakao", f"racer-{uuid.uuid4().hex[:8]}")
    n = 8
    barrier = threading.Barrier(n)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(_file(core_db, who, "race-key", now))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(results) == n
    assert len({r.complaint.receipt_no for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert count_rows(core_db, Complaint) == 1
    assert count_rows(core_db, Resident) == 1
    assert count_rows(core_db, Notification) == 1


@pytest.mark.parametrize("field,kwargs", [
    ("address", dict(address=" ")),
    ("description", dict(description="")),
    ("description", dict(description="x" * 4001)),
    ("photo_url", dict(photo_url="file:///etc/passwd")),
    ("idempotency_key", dict(idempotency_key="")),
    ("location", dict(lat=37.5)),
    ("lat", dict(lat=137.5, lng=126.6)),
])
def test_bad_input_is_refused_with_the_field_named(core_db, resident, now, field, kwargs):
    args = dict(category="illegal_dumping", address="서구 청라동", description="쓰레기", idempotency_key="k")
    args.update(kwargs)
    with pytest.raises(InvalidComplaintInput) as err:
        with session_scope(core_db) as s:
            service.file_complaint(s, resident, now=now, **args)
    assert err.value.field == field
    assert count_rows(core_db, Complaint) == 0


def test_unknown_category(core_db, resident, now):
    with pytest.raises(UnknownReference):
        _file(core_db, resident, "k", now, category="noise")


def test_resident_key_needs_both_parts():
    with pytest.raises(InvalidComplaintInput):
        ResidentKey("kakao", "")
