"""Senders push one outbox message somewhere; the dispatcher decides when and how often.

* ``LogOnlySender``: the default, no credentials. Writes the message to the log (phone
  numbers masked) and reports "logged"; the resident still sees it in the chat.
* ``AlimtalkSender``: 알림톡 through an NHN Cloud v2.3-shaped HTTP API, for residents
  who consented with a phone number; others are "skipped" (chat only).

A sender raises ``TransientSendError`` when trying again later may work (network,
timeouts, 5xx, 429) and ``PermanentSendError`` when it will not (the provider refused
the request itself).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping, Optional, Protocol

import requests

from sotong.notifications.config import AlimtalkConfig
from sotong.notifications.masking import mask_phone, mask_phones
from sotong.notifications.models import LOGGED, SENT, SKIPPED

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
_RETRYABLE_HTTP = {408, 425, 429}


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    idempotency_key: str
    stage: str
    template_code: str
    params: Mapping[str, str]
    text: str
    phone: Optional[str]  # only when the resident consented, else None


@dataclass(frozen=True)
class Delivery:
    status: str  # SENT, LOGGED or SKIPPED
    provider_request_id: Optional[str] = None


class Sender(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> Delivery: ...


class LogOnlySender:
    name = "log"

    def send(self, message: OutgoingMessage) -> Delivery:
        log.info(
            "notification %s stage=%s template=%s to=%s: %s",
            message.notification_id, message.stage, message.template_code,
            mask_phone(message.phone) if message.phone else "chat-only", mask_phones(message.text),
        )
        return Delivery(LOGGED)


class AlimtalkSender:
    name = "alimtalk"

    def __init__(self, config: AlimtalkConfig, session: Optional[requests.Session] = None):
        self.config = config
        self.http = session or requests.Session()

    def _body(self, message: OutgoingMessage) -> dict:
        recipient = {
            "recipientNo": message.phone,
            "templateParameter": dict(message.params),
        }
        if self.config.sms_fallback:
            # If KakaoTalk cannot deliver (no app, blocked channel) the provider sends an SMS/LMS.
            recipient["resendParameter"] = {"isResend": True, "resendType": "LMS", "resendContent": message.text}
        else:
            recipient["resendParameter"] = {"isResend": False}
        return {"senderKey": self.config.sender_key, "templateCode": message.template_code,
                "recipientList": [recipient]}

    def send(self, message: OutgoingMessage) -> Delivery:
        if not message.phone:
            return Delivery(SKIPPED)
        url = f"{self.config.base_url}/alimtalk/v2.3/appkeys/{self.config.app_key}/messages"
        headers = {
            "Content-Type": "application/json;charset=UTF-8",
            "X-Secret-Key": self.config.secret_key,
            # Same key on every retry: a request that reached the provider before we saw
            # the answer is not sent twice.
            IDEMPOTENCY_HEADER: message.idempotency_key,
        }
        who = mask_phone(message.phone)
        try:
            response = self.http.post(url, json=self._body(message), headers=headers,
                                      timeout=(self.config.connect_timeout, self.config.read_timeout))
        except requests.RequestException as exc:
            raise TransientSendError(f"{type(exc).__name__}: {mask_phones(str(exc))}") from None
        if response.status_code >= 500 or response.status_code in _RETRYABLE_HTTP:
            raise TransientSendError(f"HTTP {response.status_code}")
        if not 200 <= response.status_code < 300:
            raise PermanentSendError(f"HTTP {response.status_code}: {mask_phones(response.text[:200])}")
        request_id = self._check_result(response)
        log.info("alimtalk sent notification %s stage=%s to=%s request=%s",
                 message.notification_id, message.stage, who, request_id)
        return Delivery(SENT, request_id)

    @staticmethod
    def _check_result(response: requests.Response) -> Optional[str]:
        try:
            payload = response.json()
        except ValueError:
            raise TransientSendError("provider answered with something other than JSON") from None
        header = payload.get("header") or {}
        if not header.get("isSuccessful", False):
            raise PermanentSendError(f"provider refused: {header.get('resultCode')} {header.get('resultMessage')}")
        message = payload.get("message") or {}
        for result in message.get("sendResults") or []:
            if result.get("resultCode", 0) != 0:
                raise PermanentSendError(
                    f"recipient refused: {result.get('resultCode')} {mask_phones(str(result.get('resultMessage')))}")
        return message.get("requestId")


def sender_from_env() -> Sender:
    """알림톡 when fully configured, otherwise log only (no credentials needed to run)."""
    config = AlimtalkConfig.from_env()
    return AlimtalkSender(config) if config else LogOnlySender()
