""" "웹 연결": link this chat (KakaoTalk, REST) with the resident's web page by a one-time code.

Without a code in the message the bot gives one to type on the web page (내 정보 탭);
with a 6-digit code (made on the web page) it links both into one resident, so each
side shows the complaints filed on the other. The rules — single use, 10 minutes,
void after 5 wrong tries, hashed at rest — are in sotong/residents/links.py; this
action only reads the message and answers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import BlockingAction, latest_text
from actions.complaints.identity import resident_of
from sotong.db import session_scope
from sotong.ratelimit import RateLimiter
from sotong.residents.links import CODE_TTL, LinkError, issue_code_for, redeem_code_for
from sotong.session_token import session_secret

log = logging.getLogger(__name__)

# Six digits, maybe split "123 456" / "123-456", not part of a longer number (a phone, a receipt).
_CODE = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})(?![\d-])")
CHAT_CHANNELS = ("kakao", "rest")  # a web conversation links from the page, an unprefixed one not at all
# Per resident and process, on top of the per-code limit in the core.
_TRIES = RateLimiter(limit=10, per_seconds=600, max_keys=50_000)


def code_in(text: str) -> str | None:
    found = _CODE.search(text or "")
    return found.group(1) + found.group(2) if found else None


class ActionLinkDevice(BlockingAction):
    def name(self) -> str:
        return "action_link_device"

    def run_blocking(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = resident_of(tracker)
        if who.channel not in CHAT_CHANNELS:
            dispatcher.utter_message(response="utter_link_web_on_web")
            return []
        if not _TRIES.allow(f"{who.channel}:{who.user_id}"):
            dispatcher.utter_message(response="utter_link_web_too_many")
            return []
        code = code_in(latest_text(tracker))
        try:
            with session_scope() as session:
                if code is None:
                    issued = issue_code_for(session, who, session_secret())
                else:
                    result = redeem_code_for(session, code, who, session_secret())
        except LinkError:  # no secret on this server: linking is off
            log.warning("link_web: SOTONG_SESSION_SECRET is not set; linking is unavailable")
            dispatcher.utter_message(response="utter_link_web_unavailable")
            return []
        if code is None:
            minutes = int(CODE_TTL.total_seconds() // 60)
            dispatcher.utter_message(response="utter_link_web_code", link_code=issued, minutes=minutes)
        elif not result.linked:
            dispatcher.utter_message(response="utter_link_web_invalid")
        elif result.already_linked:
            dispatcher.utter_message(response="utter_link_web_already")
        else:
            dispatcher.utter_message(response="utter_link_web_done")
        return []
