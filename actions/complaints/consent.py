"""알림톡 consent: a phone number is kept only after the resident agreed, for a stated
purpose, and proved the number is theirs with a one-time code.

The notice (purpose, retention, that chat updates work without it) is shown before
the number is asked. Typing the number starts a verification: the notification
worker sends a 6-digit code to it; typing that code records the consent. The number
never sits in a slot (only its masked form) and leaves the tracker store's texts once
the form ends. "알림톡 그만" withdraws the consent and deletes the number everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import BlockingAction, profile
from actions.complaints.forms import CarryingFormValidation
from actions.complaints.identity import resident_of
from actions.urgent import stopped_for_urgent
from sotong.complaints import service
from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.service import normalize_mobile
from sotong.db import session_scope
from sotong.notifications.masking import mask_phone
from sotong.privacy.tracker_store import scrub_phone_numbers
from sotong.privacy.verification import CodeCheck, confirm_phone_code, start_phone_verification

_PHONE_LIKE = re.compile(r"(?:\+?82[-\s]?|0)1[016789][-\s.]?\d{3,4}[-\s.]?\d{4}")
VERIFIED, FAILED = "verified", "failed"  # consent_code once the form is done with it


def privacy_vars() -> dict[str, str]:
    section = profile().section("privacy")
    return {"phone_purpose": section.get("phone_purpose", ""), "phone_retention": section.get("phone_retention", "")}


class ActionAskConsentPhone(Action):
    def name(self) -> str:
        return "action_ask_consent_phone"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_consent_phone", **privacy_vars())
        return []


class ValidateAlertConsentForm(CarryingFormValidation):
    def name(self) -> str:
        return "validate_alert_consent_form"

    @staticmethod
    def _stopped(tracker: Tracker) -> bool:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return intent in ("deny", "unsubscribe_updates")

    def extract_consent_phone(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "consent_phone":
            return {}
        if self._stopped(tracker):
            return {"form_abort": True}
        text = tracker.latest_message.get("text") or ""
        found = _PHONE_LIKE.search(text)
        return {"consent_phone": found.group(0) if found else text.strip()[:40]}

    def validate_consent_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        try:
            phone = normalize_mobile(str(value))
        except InvalidComplaintInput:
            dispatcher.utter_message(response="utter_consent_phone_invalid")
            return {"consent_phone": None}
        with session_scope() as session:
            start_phone_verification(session, resident_of(tracker), phone, privacy_vars()["phone_purpose"])
        # Only the masked form goes into the conversation; the number waits in the core.
        return {"consent_phone": mask_phone(phone)}

    def extract_consent_code(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "consent_code":
            return {}
        if self._stopped(tracker):
            return {"form_abort": True}
        return {"consent_code": (tracker.latest_message.get("text") or "").strip()[:40]}

    def validate_consent_code(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value in (VERIFIED, FAILED):
            return {"consent_code": value}
        with session_scope() as session:
            result = confirm_phone_code(session, resident_of(tracker), str(value))
        if result.outcome == CodeCheck.VERIFIED:
            return {"consent_code": VERIFIED}
        if result.outcome == CodeCheck.WRONG:
            dispatcher.utter_message(response="utter_consent_code_wrong", attempts_left=result.attempts_left)
            return {"consent_code": None}
        dispatcher.utter_message(response="utter_consent_code_void")  # expired, too many tries
        return {"consent_code": FAILED}


class ActionRecordConsent(BlockingAction):
    """After the form: say how it ended. The consent itself was recorded by the code check."""

    def name(self) -> str:
        return "action_record_consent"

    def run_blocking(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        code, masked = tracker.get_slot("consent_code"), tracker.get_slot("consent_phone")
        reset = [SlotSet("consent_phone", None), SlotSet("consent_code", None), SlotSet("form_abort", None)]
        # The number was typed in this conversation: it is kept in the core only.
        with session_scope() as session:
            scrub_phone_numbers(session.connection(), tracker.sender_id)
        stopped = stopped_for_urgent(dispatcher, tracker)
        if stopped is not None:
            return reset + stopped
        if code == VERIFIED:
            dispatcher.utter_message(response="utter_consent_recorded", masked_phone=masked or "")
        elif code != FAILED:
            dispatcher.utter_message(response="utter_consent_not_given")
        return reset


class ActionWithdrawConsent(BlockingAction):
    def name(self) -> str:
        return "action_withdraw_consent"

    def run_blocking(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        with session_scope() as session:
            service.withdraw_phone_consent(session, resident_of(tracker), conversation_id=tracker.sender_id)
        dispatcher.utter_message(response="utter_consent_withdrawn")
        return [SlotSet("consent_phone", None), SlotSet("consent_code", None)]
