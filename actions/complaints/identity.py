"""Who is talking: the channel user is the resident; nobody re-authenticates.

The channel comes from the conversation id's prefix ("kakao:…", "rest:…", "web:…",
set by the channel connector, see connectors/identity.py), not from the tracker's
``latest_input_channel``: a client may influence that, never the prefix its own
channel puts in front of its id. ResidentKey(channel, raw id) is what resident
records were stored under before the prefix existed, so they still match.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from connectors.identity import parse_conversation_id
from sotong.complaints.service import ResidentKey

# Conversations opened without a channel prefix (Rasa's HTTP API, behind its token) get
# their own namespace, so such an id can never land on a KakaoTalk or REST resident.
UNPREFIXED = "api"


def resident_of(tracker: Tracker) -> ResidentKey:
    # The same person on two channels is two residents: a channel's user id is only
    # meaningful inside that channel, and merging needs a verified phone (not done).
    channel, raw_id = parse_conversation_id(tracker.sender_id)
    return ResidentKey(channel or UNPREFIXED, raw_id)
