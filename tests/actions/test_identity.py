"""Which resident a conversation is: the channel comes from the conversation id's prefix."""

from __future__ import annotations

import pytest

from actions.complaints.identity import UNPREFIXED, resident_of
from connectors.identity import conversation_id, parse_conversation_id
from sotong.complaints.residents import ResidentKey
from tests.actions.conftest import make_tracker


def tracker_of(sender: str, claimed_channel: str = "rest"):
    t = make_tracker("안녕", "greet", sender=sender)
    t.latest_input_channel = claimed_channel
    return t


@pytest.mark.parametrize(
    "sender, key",
    [
        ("kakao:abc", ResidentKey("kakao", "abc")),  # the record stored before prefixes existed
        ("rest:me", ResidentKey("rest", "me")),
        ("web:Q2xvdWQ", ResidentKey("web", "Q2xvdWQ")),
        ("rest:kakao:abc", ResidentKey("rest", "kakao:abc")),  # a REST caller naming a Kakao id stays REST
    ],
)
def test_the_prefix_names_the_resident(sender, key):
    assert resident_of(tracker_of(sender)) == key


def test_the_latest_input_channel_cannot_move_a_conversation_to_kakao():
    # Old code: ResidentKey(latest_input_channel, sender_id) — a client-influenced field chose the channel.
    assert resident_of(tracker_of("rest:abc", claimed_channel="kakao")) == ResidentKey("rest", "abc")


@pytest.mark.parametrize("sender", ["abc", "kakao", "kakao:", "telegram:abc", ":abc"])
def test_an_id_without_a_known_prefix_is_never_a_kakao_or_rest_resident(sender):
    # Rasa's HTTP API can open a conversation under any id; it gets its own namespace.
    who = resident_of(tracker_of(sender, claimed_channel="kakao"))
    assert who == ResidentKey(UNPREFIXED, sender)


def test_conversation_ids_round_trip_and_refuse_unknown_channels():
    assert parse_conversation_id(conversation_id("kakao", "u:1")) == ("kakao", "u:1")
    with pytest.raises(ValueError):
        conversation_id("sms", "x")
    with pytest.raises(ValueError):
        conversation_id("rest", "")
