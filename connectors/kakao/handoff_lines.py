"""An officer's lines for a KakaoTalk resident, shown with the bot's next answer.

KakaoTalk cannot push (docs: the skill API only answers, the Event API is paid), so the
lines wait in the database (sotong.handoff, ``handoff_message.delivered_at`` empty) and
the channel (connectors/kakao/channel.py, ``_run_dialogue``) puts them in front of whatever is answered to the resident's next message —
even while the bot is paused and answers nothing itself. Each line is claimed with its
own conditional UPDATE, so two messages at once (or two Rasa replicas) show it once.
"""

from __future__ import annotations

import logging
from typing import Any

from sotong.db import session_scope
from sotong.handoff import queue

log = logging.getLogger(__name__)


def take_officer_lines(sender_id: str) -> list[dict[str, Any]]:
    """The undelivered officer lines of this conversation as bot messages, now marked delivered."""
    try:
        with session_scope() as session:
            taken = [m for m in queue.pending_for(session, sender_id) if queue.mark_delivered(session, [m.id]) == 1]
    except Exception:  # the resident's own answer must still go out
        log.exception("kakao.handoff.lines_failed")
        return []
    return [{"text": f"[{m.author}] {m.text}" if m.author else m.text} for m in taken]
