"""Bad input is one kind of domain error, carrying the field and the limit it broke."""

from __future__ import annotations

import pytest

from sotong.complaints import limits, service
from sotong.complaints.errors import InvalidComplaintInput, TooLong, UnknownReference
from sotong.complaints.lifecycle import ComplaintStatus
from sotong.db import session_scope
from tests.core.helpers import file


def test_an_unknown_status_is_a_domain_error_on_the_status_field():
    with pytest.raises(InvalidComplaintInput) as caught:
        ComplaintStatus.parse("finished")
    assert caught.value.field == "status" and "on_site_check" in caught.value.problem
    assert isinstance(caught.value, ValueError)  # callers that caught ValueError still do


@pytest.mark.parametrize(
    "field, limit",
    [("address", limits.MAX_ADDRESS), ("description", limits.MAX_DESCRIPTION), ("seen_at", limits.MAX_SEEN_AT)],
)
def test_filing_too_long_a_field_names_the_field_and_its_limit(core_db, resident, now, field, limit):
    given = {"address": "서곶로 1", "description": "쓰레기", field: "가" * (limit + 1)}
    with session_scope(core_db) as s:
        with pytest.raises(TooLong) as caught:
            service.file_complaint(s, resident, category="illegal_dumping", idempotency_key="k", now=now, **given)
    assert (caught.value.field, caught.value.limit) == (field, limit)


def test_correcting_too_long_an_address_says_the_address_limit(core_db, resident, now):
    receipt = file(core_db, resident, now)
    with session_scope(core_db) as s:
        with pytest.raises(TooLong) as caught:
            service.correct(s, receipt, resident, address="가" * (limits.MAX_ADDRESS + 1), now=now)
    assert (caught.value.field, caught.value.limit) == ("address", 300)


def test_one_address_limit_everywhere():
    # The free-text finder used to cut at its own 200; the field allows 300.
    assert limits.MAX_ADDRESS == 300
    assert service.check_length("address", "가" * 300) == "가" * 300
    with pytest.raises(TooLong) as caught:
        service.check_length("address", "가" * 301)
    assert caught.value.limit == 300


def test_too_long_an_idempotency_key_carries_its_limit(core_db, resident, now):
    with session_scope(core_db) as s:
        with pytest.raises(InvalidComplaintInput) as caught:
            service.file_complaint(
                s,
                resident,
                category="illegal_dumping",
                address="서곶로 1",
                description="x",
                idempotency_key="k" * 101,
                now=now,
            )
    assert (caught.value.field, caught.value.limit) == ("idempotency_key", limits.MAX_IDEMPOTENCY_KEY)


def test_staff_filters_are_checked_by_the_core(core_db):
    with session_scope(core_db) as s:
        with pytest.raises(InvalidComplaintInput) as caught:
            service.list_complaints(s, status="finished")
        assert caught.value.field == "status"
        with pytest.raises(UnknownReference):
            service.list_complaints(s, department="no-such-department")
        with pytest.raises(InvalidComplaintInput) as caught:
            service.list_notifications(s, status="lost")
        assert caught.value.field == "status"


def test_staff_next_statuses_lives_in_the_lifecycle():
    assert service.staff_next_statuses("received") == ["assigned", "rejected"]
    assert service.staff_next_statuses("completed") == [] and service.staff_next_statuses("bogus") == []


def test_the_stage_list_is_the_enum_plus_corrections():
    assert tuple(s.value for s in ComplaintStatus) + ("corrected",) == service.STAGES
