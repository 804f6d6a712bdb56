"""Filing exactly once: a retried, double-tapped or racing submission files one complaint."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from sotong.complaints import service
from sotong.complaints.errors import FilingLimitReached, InvalidComplaintInput, UnknownReference
from sotong.complaints.limits import FilingLimits, load_filing_limits
from sotong.complaints.models import Complaint, Resident
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.models import Notification
from tests.core.helpers import count_rows, counts


def _file(engine, who, key, now, **kw):
    with session_scope(engine) as s:
        return service.file_complaint(
            s,
            who,
            category=kw.get("category", "illegal_parking"),
            address="인천 서구 봉오대로 100",
            description="인도 위 불법주차",
            photo_url=kw.get("photo_url"),
            seen_at="오늘 아침 8시",
            idempotency_key=key,
            now=now,
        )


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
        except Exception as exc:
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


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("address", dict(address=" ")),
        ("description", dict(description="")),
        ("description", dict(description="x" * 4001)),
        ("photo_url", dict(photo_url="file:///etc/passwd")),
        ("idempotency_key", dict(idempotency_key="")),
        ("location", dict(lat=37.5)),
        ("lat", dict(lat=137.5, lng=126.6)),
    ],
)
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
        _file(core_db, resident, "k", now, category="no_such_category")  # "noise" is a category now


def test_resident_key_needs_both_parts():
    with pytest.raises(InvalidComplaintInput):
        ResidentKey("kakao", "")


# --- photos only from the channel's media hosts (issue 7, finding 5) ---------------
@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/trash.jpg",
        "http://talk.kakaocdn.net/dna/x/evidence.jpg",  # https only
        "https://kakaocdn.net.evil.example/x.jpg",  # look-alike
        "https://talk.kakaocdn.net@evil.example/x.jpg",  # the host is evil.example
        "https://talk.kakaocdn.net:8443/x.jpg",
        "https://[::1]/x.jpg",
    ],
)
def test_a_photo_from_elsewhere_is_refused(core_db, resident, now, url):
    with pytest.raises(InvalidComplaintInput) as err:
        _file(core_db, resident, "k", now, photo_url=url)
    assert err.value.field == "photo_url"
    assert count_rows(core_db, Complaint) == 0


def test_a_kakao_photo_is_kept_and_the_hosts_are_configurable(core_db, resident, now, monkeypatch):
    kakao = "https://talk.kakaocdn.net/dna/x/evidence.jpg?credential=z"
    assert _file(core_db, resident, "k1", now, photo_url=kakao).complaint.photo_url == kakao
    monkeypatch.setenv("SOTONG_PHOTO_HOSTS", "media.example.kr")
    assert _file(core_db, resident, "k2", now, photo_url="https://img.media.example.kr/1.jpg").created
    with pytest.raises(InvalidComplaintInput):
        _file(core_db, resident, "k3", now, photo_url=kakao)


# --- the submission key is bound to the report (issue 7, finding 10) -----------------
def _report(engine, who, key, now, **kw):
    args = dict(category="illegal_dumping", address="서곶로 123 앞", description="쓰레기 봉투 세 개")
    args.update(kw)
    with session_scope(engine) as s:
        return service.file_complaint(s, who, idempotency_key=key, now=now, **args)


def test_a_reused_key_with_a_different_report_files_that_report(core_db, resident, now):
    first = _report(core_db, resident, "reused-key", now)
    retry = _report(core_db, resident, "reused-key", now, address="  서곶로 123 앞 ")  # same report, retried
    other = _report(core_db, resident, "reused-key", now, description="냉장고가 버려져 있어요")
    moved = _report(core_db, resident, "reused-key", now, address="청라대로 45")
    parking = _report(core_db, resident, "reused-key", now, category="illegal_parking")
    assert retry.complaint.receipt_no == first.complaint.receipt_no and not retry.created
    assert other.created and other.complaint.description == "냉장고가 버려져 있어요"
    assert moved.created and moved.complaint.address == "청라대로 45"
    assert parking.created and parking.complaint.category_code == "illegal_parking"
    assert len({r.complaint.receipt_no for r in (first, other, moved, parking)}) == 4
    assert count_rows(core_db, Complaint) == 4


# --- per-resident filing limits, counted in the database (issue 7, finding 9) ---------
def test_filing_past_the_hourly_limit_is_refused(core_db, resident, stranger, now):
    limits = FilingLimits(per_hour=2, per_day=10)
    for n in range(2):
        _report(core_db, resident, f"k{n}", now, description=f"쓰레기 {n}", limits=limits)
    with pytest.raises(FilingLimitReached) as err:
        _report(core_db, resident, "k-over", now, description="쓰레기 over", limits=limits)
    assert (err.value.window, err.value.limit, err.value.code) == ("hour", 2, "filing_limit_reached")
    # a retry of an already filed report is still answered, and others are not affected
    assert not _report(core_db, resident, "k0", now, description="쓰레기 0", limits=limits).created
    assert _report(core_db, stranger, "k-over", now, limits=limits).created
    # an hour later the resident may file again
    assert _report(core_db, resident, "k-later", now + timedelta(minutes=61), limits=limits).created
    assert count_rows(core_db, Complaint) == 4


def test_the_daily_limit_counts_cancelled_complaints_and_reads_the_environment(core_db, resident, now, monkeypatch):
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_HOUR", "0")  # 0 = no hourly limit
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_DAY", "3")
    receipts = [
        _report(core_db, resident, f"d{n}", now + timedelta(hours=n), description=f"내용 {n}").complaint.receipt_no
        for n in range(3)
    ]
    with session_scope(core_db) as s:
        service.cancel(s, receipts[0], resident)
    with pytest.raises(FilingLimitReached) as err:
        _report(core_db, resident, "d-over", now + timedelta(hours=5))
    assert err.value.window == "day"
    assert _report(core_db, resident, "d-next", now + timedelta(hours=24, minutes=1)).created


def test_a_limit_that_is_not_a_number_is_an_error(monkeypatch):
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_HOUR", "five")
    with pytest.raises(ValueError):
        load_filing_limits()
