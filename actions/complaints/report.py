"""Filing a complaint (무단투기, 불법주정차) in a few turns with report_form.

Turn 1 "무단투기 신고할게요" → where? → what? → summary and confirm → receipt
number: four resident turns at most, fewer when the first message already says
where (and what): those details are taken from it and not asked again.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import BlockingAction, district_vars
from actions.complaints.forms import CarryingFormValidation
from actions.complaints.identity import resident_of
from actions.complaints.wording import response_text, utter_literal
from sotong.complaints import service
from sotong.complaints.errors import ComplaintError, FilingLimitReached, InvalidComplaintInput
from sotong.complaints.service import clean_answer, find_address, find_seen_at
from sotong.db import session_scope
from sotong.formatting import korean_date

# Named in full so scripts/validate.py can see every response an action utters.
FILING_LIMIT_RESPONSES = {"hour": "utter_filing_limit_hour", "day": "utter_filing_limit_day"}
log = logging.getLogger(__name__)

REPORT_INTENTS = {"report_illegal_dumping", "report_illegal_parking"}
# Intents that answer "no" to a slot question rather than filling it
NOT_AN_ANSWER = {"cancel_complaint", "request_human", "deny", "greet", "goodbye", "check_complaint_status",
                 "show_menu"}
REPORT_SLOTS = ["report_address", "report_description", "report_photo_url", "report_seen_at", "report_confirmed",
                "report_key", "form_abort"]


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text.strip()  # button payloads are not answers


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return value if isinstance(value, str) else None  # a shorthand may carry a dict (actions/inputs.py)


class ValidateReportForm(CarryingFormValidation):
    carried_slots = ("report_key", "report_photo_url", "report_seen_at", "form_abort")

    def name(self) -> Text:
        return "validate_report_form"

    # --- extraction: what the resident's message fills ------------------------
    # The SDK extracts only required slots, and report_address is the first of them
    # on every turn, so what any turn may carry (a photo, the submission key) is
    # picked up here.
    def _every_turn(self, dispatcher, tracker: Tracker) -> Dict[Text, Any]:
        found: Dict[Text, Any] = {}
        if not tracker.get_slot("report_key"):
            # One key per submission, made when the form starts: a retried or
            # double-tapped "네" files the same complaint, never a second one.
            found["report_key"] = uuid.uuid4().hex
        photo = _entity(tracker, "photo_url")
        if photo:
            try:
                service.check_photo_url(photo)  # only the channel's own media hosts, https
            except InvalidComplaintInput as exc:
                log.info("photo refused: %s", exc.problem)
                dispatcher.utter_message(response="utter_report_photo_refused")
                found["report_photo_url"] = None  # Rasa's slot mapping had already copied it
                return found
        if photo and tracker.get_slot("requested_slot"):
            # A photo can come at any step; taking it keeps the form asking where it was.
            found["report_photo_url"] = photo
            dispatcher.utter_message(response="utter_report_photo_received")
        return found

    def extract_report_address(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        found = self._every_turn(dispatcher, tracker)
        shared = _entity(tracker, "address")  # a KakaoTalk location or map pin
        if shared:
            return {**found, "report_address": shared}
        return {**found, **self._address_from_text(tracker)}

    def _address_from_text(self, tracker: Tracker) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        text = _text(tracker)
        if requested == "report_address" and text and _intent(tracker) not in NOT_AN_ANSWER:
            return {"report_address": clean_answer(text)}
        if requested is None and _intent(tracker) in REPORT_INTENTS:
            found = find_address(text)
            return {"report_address": found} if found else {}
        return {}

    def extract_report_description(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        text = _text(tracker)
        if not text or _entity(tracker, "photo_url"):
            return {}
        if requested == "report_description" and _intent(tracker) not in NOT_AN_ANSWER:
            return {"report_description": text, "report_seen_at": find_seen_at(text)}
        # Said everything at once: where + what in the opening message.
        if requested is None and _intent(tracker) in REPORT_INTENTS and find_address(text):
            return {"report_description": text, "report_seen_at": find_seen_at(text)}
        return {}

    def extract_report_confirmed(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "report_confirmed":
            return {}
        intent = _intent(tracker)
        if intent == "affirm":
            return {"report_confirmed": True}
        if intent in ("deny", "cancel_complaint"):
            return {"report_confirmed": False}
        if intent == "edit_complaint":
            # "주소를 고칠게요" at the summary: ask that field again.
            field = "report_description" if "내용" in (tracker.latest_message.get("text") or "") else "report_address"
            return {field: None, "report_confirmed": None}
        return {}

    # --- validation -----------------------------------------------------------
    @staticmethod
    def _within_limit(field: str, value: Any, dispatcher) -> bool:
        """The core's limit for the field; the answer names the limit the core gave."""
        try:
            service.check_length(field, value if isinstance(value, str) else None)
        except InvalidComplaintInput as exc:
            dispatcher.utter_message(response="utter_report_too_long", max_chars=exc.limit)
            return False
        return True

    def validate_report_address(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"report_address": value if self._within_limit("address", value, dispatcher) else None}

    def validate_report_description(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"report_description": value if self._within_limit("description", value, dispatcher) else None}

    def validate_report_confirmed(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is False:
            return {"report_confirmed": False, "form_abort": True}
        return {"report_confirmed": value}


class ActionAskReportConfirmed(BlockingAction):
    """The summary before filing, with the category's legal processing period."""

    def name(self) -> Text:
        return "action_ask_report_confirmed"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        with session_scope() as session:
            cat = service.category_summary(session, tracker.get_slot("complaint_category") or "illegal_dumping")
        photo = "utter_report_photo_yes" if tracker.get_slot("report_photo_url") else "utter_report_photo_no"
        utter_literal(dispatcher, tracker, domain, "utter_report_summary", category_name=cat.name,
                      processing_days=cat.processing_days, photo_text=response_text(domain, photo))
        return []


class ActionFileComplaint(BlockingAction):
    def name(self) -> Text:
        return "action_file_complaint"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reset = [SlotSet(s, None) for s in REPORT_SLOTS]
        if not tracker.get_slot("report_confirmed"):
            dispatcher.utter_message(response="utter_report_not_filed")
            return reset
        try:
            with session_scope() as session:
                filed = service.file_complaint(
                    session, resident_of(tracker),
                    category=tracker.get_slot("complaint_category") or "illegal_dumping",
                    address=tracker.get_slot("report_address") or "",
                    description=tracker.get_slot("report_description") or "",
                    photo_url=tracker.get_slot("report_photo_url"),
                    seen_at=tracker.get_slot("report_seen_at"),
                    idempotency_key=tracker.get_slot("report_key") or f"{tracker.sender_id}:{uuid.uuid4().hex}",
                    shown_in_chat=True,  # this chat says "접수됐어요" below: not again as an update
                )
            view = filed.complaint
        except FilingLimitReached as exc:
            log.info("report refused: %s", exc)
            dispatcher.utter_message(response=FILING_LIMIT_RESPONSES[exc.window], limit=exc.limit,
                                     **district_vars())
            return reset
        except InvalidComplaintInput as exc:
            log.info("report refused: %s", exc)
            if exc.field == "photo_url":
                dispatcher.utter_message(response="utter_report_photo_refused")
                return [SlotSet("report_photo_url", None), SlotSet("report_confirmed", None)]
            if exc.limit is None:  # not a length (e.g. a field left empty): nothing the resident can fix here
                dispatcher.utter_message(response="utter_complaint_error", **district_vars())
                return reset
            dispatcher.utter_message(response="utter_report_too_long", max_chars=exc.limit)
            return [SlotSet("report_confirmed", None)]
        except ComplaintError:
            log.exception("filing failed")
            dispatcher.utter_message(response="utter_complaint_error", **district_vars())
            return reset
        dispatcher.utter_message(response="utter_report_filed", receipt_no=view.receipt_no,
                                 department_name=view.routed_department_name,
                                 due_date=korean_date(view.due_date))
        return reset + [SlotSet("complaint_id", view.receipt_no)]
