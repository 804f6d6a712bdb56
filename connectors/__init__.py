"""Sotong's Rasa input channels for messengers Rasa does not ship (KakaoTalk)."""
