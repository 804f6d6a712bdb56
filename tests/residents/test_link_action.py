"""action_link_device offline (real database, SQLite and PostgreSQL): "웹 연결" in a chat channel."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.link_device import ActionLinkDevice, code_in
from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.residents.devices import mint_device
from sotong.residents.links import redeem_code
from tests.actions.conftest import domain, make_tracker, responses  # noqa: F401
from tests.core.helpers import file


@pytest.fixture
def secret(monkeypatch) -> str:
    monkeypatch.setenv("SOTONG_SESSION_SECRET", "s" * 40)
    return "s" * 40


async def _say(text: str, sender: str, domain) -> CollectingDispatcher:  # noqa: F811
    d = CollectingDispatcher()
    await ActionLinkDevice().run(d, make_tracker(text, "link_web", sender=sender), domain)
    return d


@pytest.mark.parametrize(
    "text, code",
    [
        ("연결 코드 123456", "123456"),
        ("코드는 123 456 이에요", "123456"),
        ("123-456", "123456"),
        ("웹 연결", None),
        ("접수번호 1234-5678", None),
        ("010-1234-5678", None),
        ("1234567", None),
    ],
)
def test_code_in_finds_only_a_six_digit_code(text, code):
    assert code_in(text) == code


async def test_kakao_asks_for_a_code_and_the_web_redeems_it(core_db, domain, secret, now):  # noqa: F811
    kakao = ResidentKey("kakao", "user-link-1")
    receipt = file(core_db, kakao, now)
    d = await _say("웹 연결", "kakao:user-link-1", domain)
    assert responses(d) == ["utter_link_web_code"]
    code, minutes = d.messages[0]["link_code"], d.messages[0]["minutes"]
    assert len(code) == 6 and minutes == 10
    with session_scope(core_db) as s:
        device = mint_device(s, secret).device
        web = ResidentKey("web", device.public_key)
        assert redeem_code(s, code, device.resident_id, "web", secret).linked
    with session_scope(core_db) as s:
        assert [c.receipt_no for c in service.list_for_resident(s, web)] == [receipt]


async def test_a_web_code_typed_in_kakaotalk_links(core_db, domain, secret):  # noqa: F811
    from sotong.residents.links import issue_code

    with session_scope(core_db) as s:
        device = mint_device(s, secret).device
        code = issue_code(s, device.resident_id, "web", secret)
    assert responses(await _say(f"연결 코드 {code}", "kakao:user-link-2", domain)) == ["utter_link_web_done"]
    assert responses(await _say(f"연결 코드 {code}", "kakao:user-link-3", domain)) == ["utter_link_web_invalid"]


async def test_a_web_conversation_is_sent_to_the_page(core_db, domain, secret):  # noqa: F811
    assert responses(await _say("웹 연결", "web:abc", domain)) == ["utter_link_web_on_web"]
    assert responses(await _say("웹 연결", "no-prefix", domain)) == ["utter_link_web_on_web"]


async def test_without_a_secret_linking_is_unavailable(core_db, domain, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SOTONG_SESSION_SECRET", raising=False)
    assert responses(await _say("웹 연결", "kakao:user-link-4", domain)) == ["utter_link_web_unavailable"]


def test_every_response_the_action_uses_exists(domain):  # noqa: F811
    import inspect

    import actions.link_device as module

    used = set(__import__("re").findall(r'"(utter_link_web_\w+)"', inspect.getsource(module)))
    assert used and used <= set(domain["responses"])
    assert "action_link_device" in domain["actions"] and "link_web" in domain["intents"]
