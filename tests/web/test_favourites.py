"""즐겨찾기 API: pin, unpin, reorder, kept on the server per resident — and the abuse cases."""

from __future__ import annotations

import pytest

from sotong.residents.favourites import MAX_FAVOURITES
from sotong.search.catalogue import load_services
from tests.web.conftest import error_of
from tests.web.resident_client import *  # noqa: F403  (fixtures: page, me, other, session_secret)
from tests.web.resident_client import revoke


def ids(body) -> list[str]:
    return [f["id"] for f in body["favourites"]]


def test_pin_reorder_unpin(me, other):
    assert me.ok(me.get("/api/me/favourites")) == {"favourites": [], "max": MAX_FAVOURITES}
    me.ok(me.post("/api/me/favourites", {"service_id": "ask_passport"}))
    body = me.ok(me.post("/api/me/favourites", {"service_id": "faq:move_in_report"}))
    assert ids(body) == ["ask_passport", "faq:move_in_report"]
    assert body["favourites"][0]["title"] == "여권 발급" and body["favourites"][0]["payload"] == "/ask_passport"
    body = me.ok(me.post("/api/me/favourites/order", {"order": ["faq:move_in_report", "ask_passport"]}))
    assert ids(body) == ["faq:move_in_report", "ask_passport"]
    assert ids(me.ok(me.post("/api/me/favourites/remove", {"service_id": "ask_passport"}))) == ["faq:move_in_report"]
    assert ids(me.ok(me.get("/api/me/favourites"))) == ["faq:move_in_report"]
    assert ids(other.ok(other.get("/api/me/favourites"))) == []  # another resident's list is their own


def test_unknown_service_and_full_list(me):
    assert error_of(me.post("/api/me/favourites", {"service_id": "ask_nothing"}), 400)["code"] == "unknown_service"
    for service in load_services().services[:MAX_FAVOURITES]:
        me.ok(me.post("/api/me/favourites", {"service_id": service.id}))
    last = load_services().services[MAX_FAVOURITES].id
    assert error_of(me.post("/api/me/favourites", {"service_id": last}), 409)["code"] == "favourites_full"


def test_bad_order(me):
    me.ok(me.post("/api/me/favourites", {"service_id": "ask_jobs"}))
    assert error_of(me.post("/api/me/favourites/order", {"order": ["ask_news"]}), 400)["code"] == "bad_order"
    too_many = {"order": ["ask_jobs"] * (MAX_FAVOURITES + 1)}
    assert error_of(me.post("/api/me/favourites/order", too_many), 422)


def test_auth_and_csrf(core_db, me):
    assert error_of(me.get("/api/me/favourites", cookie=False), 401)
    assert error_of(me.post("/api/me/favourites", {"service_id": "ask_jobs"}, csrf=False), 403)["code"] == "csrf_failed"
    other_site = {"Origin": "http://evil.example"}
    assert error_of(me.post("/api/me/favourites", {"service_id": "ask_jobs"}, headers=other_site), 403)
    assert ids(me.ok(me.get("/api/me/favourites"))) == []
    revoke(core_db, me)
    assert error_of(me.get("/api/me/favourites"), 401)


@pytest.mark.parametrize(
    "body",
    [{"service_id": "x" * 81}, {"service_id": ""}, {"service": "ask_jobs"}, {"service_id": ["ask_jobs"]}, [], None],
)
def test_hostile_bodies(me, body):
    response = me.post("/api/me/favourites", body)
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text
    assert ids(me.ok(me.get("/api/me/favourites"))) == []
