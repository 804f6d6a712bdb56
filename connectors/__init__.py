"""Sotong's Rasa input channels: KakaoTalk (connectors.kakao) and a hardened REST channel."""

from sotong import logmask

logmask.install()  # every Rasa process imports its channels from here: phone numbers masked in its logs
