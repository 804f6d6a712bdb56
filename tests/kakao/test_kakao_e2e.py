"""End to end: Kakao-shaped requests against the real Rasa server over HTTP.

Needs the `rasa_stack` fixture (tests/e2e/conftest.py): a running Rasa whose
credentials include `connectors.kakao.KakaoInput`; it exposes `.rasa_url`.
Run: pytest tests/kakao -m e2e
"""
import json
import os
import time
import uuid
from typing import Any, Dict, Tuple

import pytest
import requests

from connectors.kakao import payloads
from connectors.kakao.limits import response_violations
from tests.kakao.kakao_testkit import CallbackServer, all_texts

pytestmark = pytest.mark.e2e


def _webhook(rasa_stack: Any) -> str:
    return rasa_stack.rasa_url.rstrip("/") + "/webhooks/kakao/webhook"


def _headers() -> Dict[str, str]:
    headers = {"Content-Type": "application/json"}
    secret = os.environ.get("KAKAO_SKILL_SECRET")
    if secret:
        headers[os.environ.get("KAKAO_SKILL_SECRET_HEADER") or "X-Kakao-Skill-Secret"] = secret
    return headers


def _post(url: str, body: Any, headers: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    reply = requests.post(url, data=data, headers=headers, timeout=(3.05, 10))
    return reply.status_code, reply.json()


def test_question_gets_a_valid_text_answer(rasa_stack: Any) -> None:
    receiver = CallbackServer()
    try:
        body = payloads.skill_request("청라동 쓰레기봉투 어디서 사요", f"e2e-{uuid.uuid4().hex[:8]}", callback_url=receiver.url())
        status, response = _post(_webhook(rasa_stack), body, _headers())
        if response.get("useCallback"):  # a cold model may take longer than Kakao's 5 s
            deadline = time.monotonic() + 60
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.1)
            response = receiver.received[0]["body"]
    finally:
        receiver.close()
    assert status == 200
    assert response_violations(response) == []
    assert all_texts(response).strip()


def test_malformed_body_is_a_kakao_shaped_400(rasa_stack: Any) -> None:
    status, response = _post(_webhook(rasa_stack), b"{not json", _headers())
    assert status == 400
    assert response["version"] == "2.0" and response["template"]["outputs"][0]["simpleText"]["text"]


def test_missing_secret_is_refused_when_one_is_set(rasa_stack: Any) -> None:
    if not os.environ.get("KAKAO_SKILL_SECRET"):
        pytest.skip("KAKAO_SKILL_SECRET is not set for this Rasa")
    status, _ = _post(_webhook(rasa_stack), payloads.skill_request("안녕하세요"), {"Content-Type": "application/json"})
    assert status == 401
