"""Senders push one outbox message somewhere; the dispatcher decides when and how often.

* ``LogOnlySender``: the default, no credentials. Writes the message to the log (phone
  numbers masked) and reports "logged"; the resident still sees it in the chat.
* ``AlimtalkSender``: 알림톡 through an NHN Cloud v2.3-shaped HTTP API, for residents
  who consented with a phone number; others are "skipped" (chat only).

A sender raises ``TransientSendError`` when the message certainly did not reach the
provider and trying again later may work (no connection, 5xx, 429);
``PermanentSendError`` when the provider refused it for good (or redirected us: the
secret and the resident's number never follow a redirect); ``UncertainSendError`` when
the provider may have it (read timeout, connection dropped after the request went out,
a 2xx answer we cannot read). The dispatcher never re-sends an uncertain message on its
own: a status message twice is worse than once late, and the provider's de-duplication
of ``X-Idempotency-Key`` is not something NHN Cloud promises.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from sotong.complaints.outbox import LOGGED, SENT, SKIPPED
from sotong.notifications.config import AlimtalkConfig
from sotong.notifications.masking import mask_phone, mask_phones
from sotong.settings import production_mode

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
_RETRYABLE_HTTP = {408, 425, 429}
_MAX_ANSWER = 64 * 1024  # a provider answer is a few hundred bytes; never read more than this


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class UncertainSendError(Exception):
    """The provider may have accepted the message; sending again could deliver it twice."""


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    idempotency_key: str
    stage: str
    template_code: str
    params: Mapping[str, str]
    text: str
    phone: str | None  # only when the resident consented, else None


@dataclass(frozen=True)
class Delivery:
    status: str  # SENT, LOGGED or SKIPPED
    provider_request_id: str | None = None


@dataclass(frozen=True)
class VerificationCode:
    """A one-time code for a phone number being verified (template from the profile's privacy:)."""

    verification_id: int
    phone: str
    code: str
    template_code: str
    text: str  # rendered, for the SMS fallback


class Sender(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> Delivery: ...

    def send_code(self, message: VerificationCode) -> Delivery: ...


class LogOnlySender:
    name = "log"

    def send(self, message: OutgoingMessage) -> Delivery:
        log.info(
            "notification %s stage=%s template=%s to=%s: %s",
            message.notification_id,
            message.stage,
            message.template_code,
            mask_phone(message.phone) if message.phone else "chat-only",
            mask_phones(message.text),
        )
        return Delivery(LOGGED)

    def send_code(self, message: VerificationCode) -> Delivery:
        # No provider: a developer reads the code in the worker's log. Never in production,
        # where a code in a log would let whoever reads logs verify someone else's number.
        if production_mode():
            log.warning(
                "verification %s for %s: no provider configured, code not sent",
                message.verification_id,
                mask_phone(message.phone),
            )
        else:
            log.warning(
                "verification %s for %s: code %s (development mode, no provider)",
                message.verification_id,
                mask_phone(message.phone),
                message.code,
            )
        return Delivery(LOGGED)


def _never_left(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the provider (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError)) or not isinstance(
        exc, (requests.ConnectionError, requests.Timeout)
    )


class AlimtalkSender:
    name = "alimtalk"

    def __init__(self, config: AlimtalkConfig, session: requests.Session | None = None):
        self.config = config
        self.http = session or requests.Session()

    def send(self, message: OutgoingMessage) -> Delivery:
        if not message.phone:
            return Delivery(SKIPPED)
        body = self._body(message.phone, message.template_code, message.params, message.text)
        request_id = self._post(body, message.idempotency_key)
        log.info(
            "alimtalk sent notification %s stage=%s to=%s request=%s",
            message.notification_id,
            message.stage,
            mask_phone(message.phone),
            request_id,
        )
        return Delivery(SENT, request_id)

    def send_code(self, message: VerificationCode) -> Delivery:
        body = self._body(message.phone, message.template_code, {"code": message.code}, message.text)
        request_id = self._post(body, f"sotong-verify-{message.verification_id}")
        log.info(
            "alimtalk sent verification %s to=%s request=%s",
            message.verification_id,
            mask_phone(message.phone),
            request_id,
        )
        return Delivery(SENT, request_id)

    def _body(self, phone: str, template_code: str, params: Mapping[str, str], text: str) -> dict:
        recipient = {"recipientNo": phone, "templateParameter": dict(params)}
        if self.config.sms_fallback:
            # If KakaoTalk cannot deliver (no app, blocked channel) the provider sends an SMS/LMS.
            recipient["resendParameter"] = {"isResend": True, "resendType": "LMS", "resendContent": text}
        else:
            recipient["resendParameter"] = {"isResend": False}
        return {"senderKey": self.config.sender_key, "templateCode": template_code, "recipientList": [recipient]}

    def _post(self, body: dict, idempotency_key: str) -> str | None:
        url = f"{self.config.base_url}/alimtalk/v2.3/appkeys/{self.config.app_key}/messages"
        headers = {
            "Content-Type": "application/json;charset=UTF-8",
            "X-Secret-Key": self.config.secret_key,
            "Accept-Encoding": "identity",  # the answer is read raw, capped: no decompression
            # Same key on every retry, for a provider that de-duplicates.
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        try:
            # No redirects: a 3xx would carry the secret and the resident's number elsewhere.
            with self.http.post(
                url,
                json=body,
                headers=headers,
                allow_redirects=False,
                stream=True,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            ) as response:
                status = response.status_code
                answer = response.raw.read(_MAX_ANSWER + 1, decode_content=False)
        except requests.RequestException as exc:
            what = f"{type(exc).__name__}: {mask_phones(str(exc))[:300]}"
            if _never_left(exc):
                raise TransientSendError(what) from None
            raise UncertainSendError(what) from None
        except Exception as exc:  # e.g. a reset while reading the answer (urllib3 ProtocolError)
            raise UncertainSendError(f"{type(exc).__name__}: {mask_phones(str(exc))[:300]}") from None
        if 300 <= status < 400:
            raise PermanentSendError(f"HTTP {status}: redirect refused (the provider URL must be the final one)")
        if status >= 500 or status in _RETRYABLE_HTTP:
            raise TransientSendError(f"HTTP {status}")
        text = answer[:_MAX_ANSWER].decode("utf-8", "replace")
        if not 200 <= status < 300:
            raise PermanentSendError(f"HTTP {status}: {mask_phones(text[:200])}")
        return self._check_result(answer)

    @staticmethod
    def _check_result(answer: bytes) -> str | None:
        try:
            if len(answer) > _MAX_ANSWER:
                raise ValueError("answer too large")
            payload = json.loads(answer.decode("utf-8"))
            header = payload.get("header")
            if not isinstance(header, dict) or "isSuccessful" not in header:
                raise ValueError("no header")
        except (ValueError, AttributeError, UnicodeDecodeError):
            # A 2xx we cannot read: the provider may well have queued the message.
            raise UncertainSendError(
                "provider answered 2xx with something unreadable: "
                + mask_phones(answer[:120].decode("utf-8", "replace"))
            ) from None
        if not header.get("isSuccessful", False):
            raise PermanentSendError(f"provider refused: {header.get('resultCode')} {header.get('resultMessage')}")
        message = payload.get("message") or {}
        if not isinstance(message, dict):
            message = {}
        for result in message.get("sendResults") or []:
            if isinstance(result, dict) and result.get("resultCode", 0) != 0:
                raise PermanentSendError(
                    f"recipient refused: {result.get('resultCode')} {mask_phones(str(result.get('resultMessage')))}"
                )
        request_id = message.get("requestId")
        return str(request_id)[:120] if request_id is not None else None


def sender_from_env() -> Sender:
    """알림톡 when fully configured, otherwise log only (no credentials needed to run)."""
    config = AlimtalkConfig.from_env()
    return AlimtalkSender(config) if config else LogOnlySender()
