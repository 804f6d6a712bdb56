"""Builders of real-shaped Kakao skill requests (docs/kakao-skill-api.md).

Used by the simulator, the tests and the benchmark, so all three speak the same
dialect as Kakao. No Rasa import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

DEFAULT_BOT_ID = "5f0000000000000000000001"
DEFAULT_BOT_NAME = "소통 서구청"
DEFAULT_BLOCK = {"id": "5f00000000000000000000b1", "name": "폴백 블록"}
PHOTO_BLOCK = {"id": "5f00000000000000000000b2", "name": "사진 보내기"}
LOCATION_BLOCK = {"id": "5f00000000000000000000b3", "name": "위치 보내기"}


def response_texts(response: dict[str, Any]) -> str:
    """Every text a resident would read in a skill response (or callback body), joined by newlines."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("text", "description", "title") and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(response.get("template") or response.get("data") or {})
    return "\n".join(found)


def skill_request(
    utterance: str,
    user_id: str = "demo-user",
    *,
    bot_id: str = DEFAULT_BOT_ID,
    block: dict[str, str] | None = None,
    callback_url: str | None = None,
    params: dict[str, Any] | None = None,
    detail_params: dict[str, Any] | None = None,
    client_extra: dict[str, Any] | None = None,
    plusfriend_user_key: str | None = None,
    app_user_id: str | None = None,
    is_friend: bool | None = True,
    request_params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A skill request as Kakao POSTs it for one resident message."""
    block = block or DEFAULT_BLOCK
    properties: dict[str, Any] = {"plusfriendUserKey": plusfriend_user_key or f"pf-{user_id}"}
    if app_user_id:
        properties["appUserId"] = app_user_id
    if is_friend is not None:
        properties["isFriend"] = is_friend
    user_request: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "lang": "ko",
        "utterance": utterance,
        "params": request_params or {"surface": "Kakaotalk.plusfriend"},
        "block": dict(block),
        "user": {"id": user_id, "type": "botUserKey", "properties": properties},
    }
    if callback_url:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": block["id"], "name": block["name"]},
        "userRequest": user_request,
        "contexts": [],
        "bot": {"id": bot_id, "name": DEFAULT_BOT_NAME},
        "action": {
            "id": "5f00000000000000000000a1",
            "name": "sotong_rasa",
            "params": params or {},
            "detailParams": detail_params or {},
            "clientExtra": client_extra or {},
        },
    }


def _param(name: str, value: str, origin: str | None = None) -> dict[str, Any]:
    return {
        "params": {name: value},
        "detail_params": {name: {"origin": origin if origin is not None else value, "value": value, "groupName": ""}},
    }


def photo_request(image_url: str, user_id: str = "demo-user", **kwargs: Any) -> dict[str, Any]:
    """A photo sent through the image secure-transfer plugin (@sys.plugin.secureimage):
    the parameter value is a JSON string whose secureUrls is "List(url, ...)"."""
    value = json.dumps(
        {
            "privacyAgreement": "Y",
            "imageQuantity": "1",
            "secureUrls": f"List({image_url})",
            "expire": "2030-01-01T00:10:00",
        }
    )
    kwargs.setdefault("block", PHOTO_BLOCK)
    return skill_request("사진을 보냈어요", user_id, **_param("secureimage", value), **kwargs)


def location_request(address: str, user_id: str = "demo-user", **kwargs: Any) -> dict[str, Any]:
    """A location (an address) collected by a block parameter named "location"."""
    kwargs.setdefault("block", LOCATION_BLOCK)
    return skill_request(address, user_id, **_param("location", address), **kwargs)


def quick_reply_request(reply: dict[str, Any], user_id: str = "demo-user", **kwargs: Any) -> dict[str, Any]:
    """What Kakao sends when the resident taps `reply` (a quickReplies/button entry):
    messageText as the utterance, the reply's extra as action.clientExtra."""
    return skill_request(
        str(reply.get("messageText") or reply.get("label") or ""),
        user_id,
        client_extra=dict(reply.get("extra") or {}),
        **kwargs,
    )


# A resident's typical session (issue 4's demo): waste bags, a dumping report
# with photo and location, then its status. Used by the benchmark and demos.
DEMO_PHOTO_URL = "https://talk.kakaocdn.net/dna/demo/dumping_evidence.jpg?credential=demo"
DEMO_CONVERSATION = (
    ("text", "안녕하세요"),
    ("text", "청라동 쓰레기봉투 어디서 사요"),
    ("text", "무단투기 신고하고 싶어요"),
    ("photo", DEMO_PHOTO_URL),
    ("location", "인천 서구 청라커낼로 252"),
    ("text", "네"),
    ("text", "신고한 거 처리 상황 알려주세요"),
)


def conversation_requests(
    user_id: str, steps: Sequence[tuple[str, str]] = DEMO_CONVERSATION, **kwargs: Any
) -> list[dict[str, Any]]:
    """The skill requests of one resident's conversation, in order."""
    builders = {"text": skill_request, "photo": photo_request, "location": location_request}
    return [builders[kind](value, user_id, **kwargs) for kind, value in steps]
