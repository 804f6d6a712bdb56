"""Who is talking: the channel user is the resident; nobody re-authenticates."""
from __future__ import annotations

from rasa_sdk import Tracker

from sotong.complaints.service import ResidentKey


def resident_of(tracker: Tracker) -> ResidentKey:
    # The same person on two channels is two residents: a channel's user id is only
    # meaningful inside that channel, and merging needs a verified phone (not done).
    channel = tracker.get_latest_input_channel() or "rest"
    return ResidentKey(channel, tracker.sender_id)
