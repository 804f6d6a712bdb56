"""Correcting the address or description before anyone is on site; withdrawing (취하)
before completion. Both are logged and announced."""

from __future__ import annotations

import pytest

from sotong.complaints import service
from sotong.complaints.errors import CorrectionNotAllowed, InvalidComplaintInput, TransitionRefused
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.db import session_scope
from tests.core.helpers import complaint_in, counts, perform


@pytest.mark.parametrize("status", [S.RECEIVED, S.ASSIGNED, S.OFFICER_ASSIGNED, S.TRANSFERRED])
def test_correction_allowed_before_on_site(core_db, resident, now, status):
    receipt = complaint_in(core_db, status, resident, now)
    before = counts(core_db, receipt)
    with session_scope(core_db) as s:
        view = service.correct(s, receipt, resident, address="인천 서구 청라동 2-2", now=now)
    assert view.address == "인천 서구 청라동 2-2" and view.status == status.value
    last = view.timeline[-1]
    assert (last.kind, last.status, last.actor) == ("correction", status.value, resident.actor)
    assert "청라동 1-1" in last.note and "청라동 2-2" in last.note
    assert counts(core_db, receipt) == (before[0] + 1, before[1] + 1)
    assert view.can_correct


@pytest.mark.parametrize("status", [S.ON_SITE_CHECK, S.UNDER_REVIEW, S.COMPLETED, S.CANCELLED, S.REJECTED])
def test_correction_refused_from_on_site_on(core_db, resident, now, status):
    receipt = complaint_in(core_db, status, resident, now)
    before = counts(core_db, receipt)
    with pytest.raises(CorrectionNotAllowed) as err:
        with session_scope(core_db) as s:
            service.correct(s, receipt, resident, description="수정", now=now)
    assert err.value.code == "correction_not_allowed"
    assert counts(core_db, receipt) == before


def test_transferred_after_the_site_visit_stays_uncorrectable(core_db, resident, now):
    receipt = complaint_in(core_db, S.ON_SITE_CHECK, resident, now)
    view = perform(core_db, receipt, S.TRANSFERRED, resident, now)
    assert view.status == "transferred" and not view.can_correct
    with pytest.raises(CorrectionNotAllowed):
        with session_scope(core_db) as s:
            service.correct(s, receipt, resident, address="다른 곳", now=now)


def test_nothing_to_correct(core_db, resident, now):
    receipt = complaint_in(core_db, S.RECEIVED, resident, now)
    with pytest.raises(InvalidComplaintInput):
        with session_scope(core_db) as s:
            service.correct(s, receipt, resident, address="인천 서구 청라동 1-1", now=now)  # unchanged
    with pytest.raises(InvalidComplaintInput):
        with session_scope(core_db) as s:
            service.correct(s, receipt, resident, now=now)


def test_new_address_drops_the_old_pin_unless_a_new_one_comes(core_db, resident, now):
    with session_scope(core_db) as s:
        receipt = service.file_complaint(
            s,
            resident,
            category="illegal_dumping",
            address="A동",
            description="d",
            lat=37.53,
            lng=126.64,
            idempotency_key="pin",
            now=now,
        ).complaint.receipt_no
    with session_scope(core_db) as s:
        view = service.correct(s, receipt, resident, address="B동", now=now)
    assert (view.lat, view.lng) == (None, None)
    with session_scope(core_db) as s:
        view = service.correct(s, receipt, resident, address="C동", lat=37.5, lng=126.6, now=now)
    assert (view.lat, view.lng) == (37.5, 126.6)
    with session_scope(core_db) as s:
        view = service.correct(s, receipt, resident, description="더 자세히", now=now)
    assert (view.lat, view.lng, view.description) == (37.5, 126.6, "더 자세히")


@pytest.mark.parametrize(
    "status", [S.RECEIVED, S.ASSIGNED, S.OFFICER_ASSIGNED, S.ON_SITE_CHECK, S.UNDER_REVIEW, S.TRANSFERRED]
)
def test_cancel_before_completion(core_db, resident, now, status):
    receipt = complaint_in(core_db, status, resident, now)
    with session_scope(core_db) as s:
        assert service.get_for_resident(s, receipt, resident).can_cancel
        view = service.cancel(s, receipt, resident, note="해결됐어요", now=now)
    assert view.status == "cancelled" and not view.can_cancel and not view.can_correct
    assert view.timeline[-1].actor == resident.actor and view.timeline[-1].note == "해결됐어요"


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED, S.REJECTED])
def test_cancel_refused_once_closed(core_db, resident, now, status):
    receipt = complaint_in(core_db, status, resident, now)
    before = counts(core_db, receipt)
    with pytest.raises(TransitionRefused):
        with session_scope(core_db) as s:
            service.cancel(s, receipt, resident, now=now)
    assert counts(core_db, receipt) == before
