"""Nobody sees, corrects or cancels a complaint that is not theirs; a stranger's receipt
number gets exactly the answer an unknown one gets."""

from __future__ import annotations

import pytest

from sotong.complaints import service
from sotong.complaints.errors import ComplaintNotFound
from sotong.db import session_scope
from tests.core.helpers import counts, file


def test_owner_sees_it_with_its_timeline(core_db, resident, now):
    receipt = file(core_db, resident, now)
    with session_scope(core_db) as s:
        view = service.get_for_resident(s, receipt.lower().replace("-", ""), resident, now)
    assert view.receipt_no == receipt and view.timeline[0].status == "received"


@pytest.mark.parametrize("asked", ["theirs", "unknown", "malformed"])
def test_stranger_and_unknown_get_the_same_none(core_db, resident, stranger, now, asked):
    receipt = file(core_db, resident, now)
    file(core_db, stranger, now)  # the stranger exists and has complaints of their own
    number = {"theirs": receipt, "unknown": "ZZZZ-ZZZZ", "malformed": "hello"}[asked]
    with session_scope(core_db) as s:
        assert service.get_for_resident(s, number, stranger, now) is None


@pytest.mark.parametrize("operation", ["correct", "cancel"])
def test_stranger_cannot_change_it_and_hears_not_found(core_db, resident, stranger, now, operation):
    receipt = file(core_db, resident, now)
    before = counts(core_db, receipt)

    def attempt(number):
        with session_scope(core_db) as s:
            if operation == "correct":
                service.correct(s, number, stranger, address="다른 주소", now=now)
            else:
                service.cancel(s, number, stranger, now=now)

    with pytest.raises(ComplaintNotFound) as theirs:
        attempt(receipt)
    with pytest.raises(ComplaintNotFound) as unknown:
        attempt("ZZZZ-ZZZZ")
    assert theirs.value.code == unknown.value.code == "complaint_not_found"
    assert counts(core_db, receipt) == before


def test_unknown_resident_has_nothing(core_db, resident, stranger, now):
    file(core_db, resident, now)
    with session_scope(core_db) as s:
        assert service.list_for_resident(s, stranger) == []
        assert service.get_for_resident(s, "ZZZZ-ZZZZ", stranger) is None


def test_list_shows_only_ones_own_newest_first(core_db, resident, stranger, now):
    mine = [file(core_db, resident, now) for _ in range(3)]
    file(core_db, stranger, now)
    with session_scope(core_db) as s:
        listed = [v.receipt_no for v in service.list_for_resident(s, resident, now)]
    assert listed == list(reversed(mine))
