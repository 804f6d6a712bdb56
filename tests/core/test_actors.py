"""Actors as a value: parsed once, three kinds, and staff never act as a resident."""

from __future__ import annotations

import pytest

from sotong.complaints import service
from sotong.complaints.actors import Actor
from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from tests.core.helpers import file


@pytest.mark.parametrize(
    "text, kind, name, stored",
    [
        ("staff:kim", "staff", "kim", "staff:kim"),
        ("officer:kim", "staff", "kim", "staff:kim"),  # rows written by the CLI before one prefix
        ("system", "system", "", "system"),
        ("resident:kakao:abc", "resident", "kakao:abc", "resident:kakao:abc"),
        ("  staff:김민수 ", "staff", "김민수", "staff:김민수"),
    ],
)
def test_parse_gives_the_kind_and_prints_back_as_stored(text, kind, name, stored):
    actor = Actor.parse(text)
    assert (actor.kind, actor.name, str(actor)) == (kind, name, stored)
    assert Actor.parse(str(actor)) == actor


@pytest.mark.parametrize("text", ["", "kim", "boss:kim", "staff:", "resident:kakao", "resident:", "x" * 300])
def test_malformed_actors_are_bad_input_on_the_actor_field(text):
    with pytest.raises(InvalidComplaintInput) as caught:
        Actor.parse(text)
    assert caught.value.field == "actor"


def test_builders_and_kinds():
    key = ResidentKey("kakao", "abc")
    assert Actor.resident(key) == Actor.parse("resident:kakao:abc") and Actor.resident(key).is_resident
    assert key.actor == "resident:kakao:abc"
    assert Actor.staff("kim").is_staff and Actor.system().is_system and str(Actor.system()) == "system"


@pytest.mark.parametrize("text, stored", [("kim", "staff:kim"), ("staff:kim", "staff:kim"), ("system", "system")])
def test_what_a_staff_tool_may_act_as(text, stored):
    assert str(Actor.parse_staff(text)) == stored


def test_a_staff_tool_cannot_act_as_a_resident():
    with pytest.raises(InvalidComplaintInput) as caught:
        Actor.parse_staff("resident:kakao:abc")
    assert caught.value.field == "actor"


def test_officer_operations_refuse_a_resident_actor(core_db, resident, now):
    receipt = file(core_db, resident, now)
    with session_scope(core_db) as s:
        with pytest.raises(InvalidComplaintInput) as caught:
            service.advance(s, receipt, "assigned", actor=Actor.resident(resident), now=now)
        assert caught.value.field == "actor"
    with session_scope(core_db) as s:
        assert service.get_complaint(s, receipt).status == "received"


def test_the_history_records_the_actor_value(core_db, resident, now):
    receipt = file(core_db, resident, now)
    with session_scope(core_db) as s:
        view = service.assign_department(s, receipt, actor=Actor.staff("kim"), now=now)
    assert [e.actor for e in view.timeline] == [f"resident:kakao:{resident.user_id}", "staff:kim"]
