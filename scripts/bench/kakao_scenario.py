"""What the KakaoTalk benchmark's simulated residents say, and how many of them, for how long."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from connectors.kakao import payloads

RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")
ADDRESSES = ("인천 서구 청라커낼로 252", "인천 서구 서곶로 123", "인천 서구 가정로 45", "인천 서구 완정로 227")
PHOTO = "https://talk.kakaocdn.net/dna/bench/{user}/evidence.jpg?credential=bench"
CONFIRM = {
    "label": "네, 접수해 주세요",
    "action": "message",
    "messageText": "네, 접수해 주세요",
    "extra": {"payload": "/affirm"},
}
THINK_SECONDS = (2.0, 6.0)
NO_PAUSE = (0.0, 0.0)


def conversation(user_id: str, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """(step name, skill request) of one resident's session, as Kakao would deliver them."""
    return [
        ("greeting", payloads.skill_request("안녕하세요", user_id)),
        ("waste_bags", payloads.skill_request("청라동 쓰레기봉투 어디서 사요", user_id)),
        ("bulky_waste", payloads.skill_request("소파 버리려면 얼마예요", user_id)),
        ("passport", payloads.skill_request("여권 발급 필요서류", user_id)),
        ("office_hours", payloads.skill_request("구청 몇 시까지 해요", user_id)),
        ("report_start", payloads.skill_request("무단투기 신고할게요", user_id)),
        ("report_location", payloads.location_request(rng.choice(ADDRESSES), user_id)),
        ("report_description", payloads.skill_request("쓰레기봉투가 일주일째 쌓여서 냄새가 나요", user_id)),
        ("report_photo", payloads.photo_request(PHOTO.format(user=user_id), user_id)),
        ("report_confirm", payloads.quick_reply_request(CONFIRM, user_id)),
        ("status", payloads.skill_request("내 민원 조회", user_id)),
    ]


@dataclass(frozen=True)
class Plan:
    """Concurrent-user levels, conversations each user holds per level (count bound), the modes
    with their pause before each message, and the time bound: no new message after
    ``level_time_cap`` seconds of a level."""

    levels: tuple[int, ...]
    conversations: dict[int, int]
    modes: tuple[tuple[str, tuple[float, float]], ...]
    level_time_cap: float

    def conversations_per_user(self, users: int) -> int:
        return self.conversations.get(users, 1)


# Fewer users hold more conversations, so that every level has a few hundred messages at most
# and the 1-user figures are not from a handful.
FULL = Plan(
    levels=(1, 10, 50),
    conversations={1: 3, 10: 2, 50: 1},
    modes=(("paced", THINK_SECONDS), ("back-to-back", NO_PAUSE)),
    level_time_cap=170.0,
)
QUICK = Plan(
    levels=(1, 2),
    conversations={1: 1, 2: 1},
    modes=(("paced", (0.1, 0.3)), ("back-to-back", NO_PAUSE)),
    level_time_cap=60.0,
)
