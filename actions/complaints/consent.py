"""알림톡 consent: a phone number is kept only after the resident agreed, for a stated purpose.

The notice (purpose, retention, that chat updates work without it) is shown
before the number is asked; typing the number after it is the consent. "알림톡
그만" withdraws it and deletes the number.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import profile
from actions.complaints.forms import CarryingFormValidation
from actions.complaints.identity import resident_of
from sotong.complaints import service
from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.residents import normalize_mobile
from sotong.db import session_scope
from sotong.notifications.masking import mask_phone

_PHONE_LIKE = re.compile(r"(?:\+?82[-\s]?|0)1[016789][-\s.]?\d{3,4}[-\s.]?\d{4}")


def privacy_vars() -> Dict[str, str]:
    section = profile().section("privacy")
    return {"phone_purpose": section.get("phone_purpose", ""), "phone_retention": section.get("phone_retention", "")}


class ActionAskConsentPhone(Action):
    def name(self) -> Text:
        return "action_ask_consent_phone"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_consent_phone", **privacy_vars())
        return []


class ValidateAlertConsentForm(CarryingFormValidation):
    def name(self) -> Text:
        return "validate_alert_consent_form"

    def extract_consent_phone(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "consent_phone":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("deny", "unsubscribe_updates"):
            return {"form_abort": True}
        text = tracker.latest_message.get("text") or ""
        found = _PHONE_LIKE.search(text)
        return {"consent_phone": found.group(0) if found else text.strip()}

    def validate_consent_phone(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        try:
            return {"consent_phone": normalize_mobile(str(value))}
        except InvalidComplaintInput:
            dispatcher.utter_message(response="utter_consent_phone_invalid")
            return {"consent_phone": None}


class ActionRecordConsent(Action):
    def name(self) -> Text:
        return "action_record_consent"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        phone = tracker.get_slot("consent_phone")
        # The number leaves the conversation's slots at once; it is stored only with the consent.
        reset = [SlotSet("consent_phone", None), SlotSet("form_abort", None)]
        if tracker.get_slot("form_abort") or not phone:
            dispatcher.utter_message(response="utter_consent_not_given")
            return reset
        with session_scope() as session:
            service.record_phone_consent(session, resident_of(tracker), phone, privacy_vars()["phone_purpose"])
        dispatcher.utter_message(response="utter_consent_recorded", masked_phone=mask_phone(phone))
        return reset


class ActionWithdrawConsent(Action):
    def name(self) -> Text:
        return "action_withdraw_consent"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        with session_scope() as session:
            service.withdraw_phone_consent(session, resident_of(tracker))
        dispatcher.utter_message(response="utter_consent_withdrawn")
        return []
