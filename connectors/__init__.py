"""Sotong's Rasa input channels: KakaoTalk (connectors.kakao) and a hardened REST channel."""
