"""The state machine: every allowed transition works through the service and is logged
and announced; refused ones raise TransitionRefused and change nothing."""

from __future__ import annotations

import itertools

import pytest

from sotong.complaints import service
from sotong.complaints.errors import TransitionRefused
from sotong.complaints.lifecycle import ALLOWED_TRANSITIONS, CLOSED, check_transition
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.db import session_scope
from tests.core.helpers import complaint_in, counts, perform

ALLOWED = sorted(
    ((a, b) for a, nxt in ALLOWED_TRANSITIONS.items() for b in nxt), key=lambda p: (p[0].value, p[1].value)
)
REFUSED = sorted(
    ((a, b) for a, b in itertools.product(S, S) if b not in ALLOWED_TRANSITIONS[a]),
    key=lambda p: (p[0].value, p[1].value),
)


def test_the_article_path_is_allowed_in_order():
    path = [S.RECEIVED, S.ASSIGNED, S.OFFICER_ASSIGNED, S.ON_SITE_CHECK, S.UNDER_REVIEW, S.COMPLETED]
    for a, b in zip(path, path[1:]):
        check_transition(a, b)


def test_closed_statuses_are_final_and_everything_open_can_be_cancelled_or_rejected():
    assert {S.COMPLETED, S.CANCELLED, S.REJECTED} == CLOSED
    for status in set(S) - CLOSED:
        assert {S.CANCELLED, S.REJECTED} <= ALLOWED_TRANSITIONS[status]


@pytest.mark.parametrize("current,target", REFUSED, ids=lambda s: s.value)
def test_table_refuses_every_other_pair(current, target):
    with pytest.raises(TransitionRefused) as err:
        check_transition(current, target)
    assert err.value.code == "transition_refused"
    assert (err.value.from_status, err.value.to_status) == (current.value, target.value)


@pytest.mark.parametrize("current,target", ALLOWED, ids=lambda s: s.value)
def test_every_allowed_transition_through_the_service(core_db, resident, now, current, target):
    receipt = complaint_in(core_db, current, resident, now)
    before = counts(core_db, receipt)
    view = perform(core_db, receipt, target, resident, now)
    assert view.status == target.value
    last = view.timeline[-1]
    assert (last.from_status, last.status, last.kind) == (current.value, target.value, "status")
    assert last.actor in ("staff:kim", resident.actor)
    assert counts(core_db, receipt) == (before[0] + 1, before[1] + 1)  # one history line, one message


REFUSED_BY_SERVICE = [
    (S.RECEIVED, lambda s, r, who, now: service.advance(s, r, S.COMPLETED, actor="officer:kim", now=now)),
    (S.RECEIVED, lambda s, r, who, now: service.assign_officer(s, r, "cleaning-kim", actor="officer:kim", now=now)),
    (S.RECEIVED, lambda s, r, who, now: service.transfer(s, r, "roads", actor="officer:kim", now=now)),
    (S.ASSIGNED, lambda s, r, who, now: service.advance(s, r, S.ON_SITE_CHECK, actor="officer:kim", now=now)),
    (S.ASSIGNED, lambda s, r, who, now: service.assign_department(s, r, "traffic", actor="officer:kim", now=now)),
    (S.OFFICER_ASSIGNED, lambda s, r, who, now: service.advance(s, r, S.COMPLETED, actor="officer:kim", now=now)),
    (S.ON_SITE_CHECK, lambda s, r, who, now: service.advance(s, r, S.COMPLETED, actor="officer:kim", now=now)),
    (S.COMPLETED, lambda s, r, who, now: service.advance(s, r, S.ON_SITE_CHECK, actor="officer:kim", now=now)),
    (S.COMPLETED, lambda s, r, who, now: service.cancel(s, r, who, now=now)),
    (
        S.COMPLETED,
        lambda s, r, who, now: service.reject(s, r, reason="x", appeal_info="y", actor="officer:kim", now=now),
    ),
    (S.CANCELLED, lambda s, r, who, now: service.assign_department(s, r, None, actor="officer:kim", now=now)),
    (S.CANCELLED, lambda s, r, who, now: service.cancel(s, r, who, now=now)),
    (S.REJECTED, lambda s, r, who, now: service.advance(s, r, S.UNDER_REVIEW, actor="officer:kim", now=now)),
    (S.TRANSFERRED, lambda s, r, who, now: service.advance(s, r, S.ON_SITE_CHECK, actor="officer:kim", now=now)),
    # officers don't withdraw a resident's complaint; rejection needs its own call
    (S.UNDER_REVIEW, lambda s, r, who, now: service.advance(s, r, S.CANCELLED, actor="officer:kim", now=now)),
    (S.UNDER_REVIEW, lambda s, r, who, now: service.advance(s, r, S.REJECTED, actor="officer:kim", now=now)),
    # the officer must be in the complaint's department
    (S.ASSIGNED, lambda s, r, who, now: service.assign_officer(s, r, "traffic-park", actor="officer:kim", now=now)),
]


@pytest.mark.parametrize("current,operation", REFUSED_BY_SERVICE, ids=lambda x: getattr(x, "value", "op"))
def test_refused_operations_change_nothing(core_db, resident, now, current, operation):
    receipt = complaint_in(core_db, current, resident, now)
    before = counts(core_db, receipt)
    with pytest.raises(TransitionRefused):
        with session_scope(core_db) as s:
            operation(s, receipt, resident, now)
    with session_scope(core_db) as s:
        assert service.get_complaint(s, receipt).status == current.value
    assert counts(core_db, receipt) == before


def test_transfer_clears_the_officer_and_the_new_department_names_one(core_db, resident, now):
    receipt = complaint_in(core_db, S.OFFICER_ASSIGNED, resident, now)
    view = perform(core_db, receipt, S.TRANSFERRED, resident, now)
    assert (view.department_code, view.officer_name) == ("roads", None)
    view = perform(core_db, receipt, S.OFFICER_ASSIGNED, resident, now)
    assert (view.officer_code, view.officer_name) == ("roads-choi", "최민준")
    # the history keeps who had it at each step
    assert [e.department_name for e in view.timeline] == [None, "자원순환과", "자원순환과", "건설과", "건설과"]


def test_reject_needs_reason_and_appeal_and_keeps_them(core_db, resident, now):
    from sotong.complaints.errors import InvalidComplaintInput

    receipt = complaint_in(core_db, S.ASSIGNED, resident, now)
    with session_scope(core_db) as s:
        with pytest.raises(InvalidComplaintInput):
            service.reject(s, receipt, reason=" ", appeal_info="110", actor="officer:kim")
        with pytest.raises(InvalidComplaintInput):
            service.reject(s, receipt, reason="중복 민원", appeal_info="", actor="officer:kim")
        view = service.reject(s, receipt, reason="중복 민원", appeal_info="국민신문고", actor="officer:kim", now=now)
    assert (view.rejection_reason, view.appeal_info) == ("중복 민원", "국민신문고")


def test_every_change_needs_an_actor(core_db, resident, now):
    from sotong.complaints.errors import InvalidComplaintInput

    receipt = complaint_in(core_db, S.RECEIVED, resident, now)
    with pytest.raises(InvalidComplaintInput):
        with session_scope(core_db) as s:
            service.assign_department(s, receipt, None, actor="  ", now=now)
