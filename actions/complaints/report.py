"""Filing a complaint of any category (complaints.yml) in a few turns with report_form.

Turn 1 "가로등이 고장났어요" → where? → what? → summary and confirm → receipt
number: four resident turns at most, fewer when the first message already says
where (and what): those details are taken from it and not asked again. The summary
names the category and its department; one tap on another category changes it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import BlockingAction, district_vars
from actions.complaints.answers import (
    REPORT_INTENTS,
    category_for_turn,
    category_payload,
    current_category,
    details_beyond,
    entity_of,
    intent_of,
    is_no_answer,
    typed_text,
)
from actions.complaints.forms import CarryingFormValidation
from actions.complaints.identity import resident_of
from actions.complaints.wording import response_text, utter_literal
from actions.urgent import stopped_for_urgent
from sotong.complaints import service
from sotong.complaints.errors import ComplaintError, FilingLimitReached, InvalidComplaintInput
from sotong.complaints.service import clean_answer, find_address, find_seen_at
from sotong.db import session_scope
from sotong.formatting import korean_date

# Named in full so scripts/validate.py can see every response an action utters.
FILING_LIMIT_RESPONSES = {"hour": "utter_filing_limit_hour", "day": "utter_filing_limit_day"}
log = logging.getLogger(__name__)

# Intents that leave the question for another rule (stop, a person, the menu) rather than
# answering it; an affirmation or a greeting is asked again instead (answers.is_no_answer).
NOT_AN_ANSWER = {"cancel_complaint", "request_human", "deny", "goodbye", "check_complaint_status", "show_menu"}
REPORT_SLOTS = [
    "report_address",
    "report_description",
    "report_photo_url",
    "report_seen_at",
    "report_confirmed",
    "report_key",
    "form_abort",
]


_intent, _text, _entity = intent_of, typed_text, entity_of  # shared with changes.py


class ValidateReportForm(CarryingFormValidation):
    carried_slots = ("report_key", "report_photo_url", "report_seen_at", "form_abort", "complaint_category")

    def name(self) -> str:
        return "validate_report_form"

    # --- extraction: what the resident's message fills ------------------------
    # The SDK extracts only required slots, and report_address is the first of them
    # on every turn, so what any turn may carry (a photo, the submission key) is
    # picked up here.
    def _every_turn(self, dispatcher, tracker: Tracker) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if not tracker.get_slot("report_key"):
            # One key per submission, made when the form starts: a retried or
            # double-tapped "네" files the same complaint, never a second one.
            found["report_key"] = uuid.uuid4().hex
        category = category_for_turn(tracker)
        if category and category != tracker.get_slot("complaint_category"):
            found["complaint_category"] = category
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

    def extract_report_address(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        found = self._every_turn(dispatcher, tracker)
        shared = _entity(tracker, "address")  # a KakaoTalk location or map pin
        if shared:
            return {**found, "report_address": shared}
        return {**found, **self._address_from_text(dispatcher, tracker, domain)}

    def _address_from_text(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        text = _text(tracker)
        if requested == "report_address" and text and _intent(tracker) not in NOT_AN_ANSWER:
            if is_no_answer(tracker, domain):  # "네" is no address: ask again
                dispatcher.utter_message(response="utter_report_address_unclear")
                return {"report_address": None}
            found = find_address(text)
            if found and details_beyond(text, found):  # "청라동 커낼웨이 앞 흰색 소나타 12가3456"
                return {"report_address": found}
            return {"report_address": clean_answer(text)}
        if requested is None and _intent(tracker) in REPORT_INTENTS:
            found = find_address(text)
            return {"report_address": found} if found else {}
        return {}

    def extract_report_description(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        text = _text(tracker)
        if not text or _entity(tracker, "photo_url"):
            return {}
        if requested == "report_description" and _intent(tracker) not in NOT_AN_ANSWER:
            if is_no_answer(tracker, domain):
                dispatcher.utter_message(response="utter_report_description_unclear")
                return {"report_description": None}
            return {"report_description": text, "report_seen_at": find_seen_at(text)}
        # Where and what in the answer to "where?": both are taken.
        if (
            requested == "report_address"
            and _intent(tracker) not in NOT_AN_ANSWER
            and not is_no_answer(tracker, domain)
        ):
            found = find_address(text)
            if found and details_beyond(text, found):
                return {"report_description": text, "report_seen_at": find_seen_at(text)}
        # Said everything at once: where + what in the opening message.
        if requested is None and _intent(tracker) in REPORT_INTENTS and find_address(text):
            return {"report_description": text, "report_seen_at": find_seen_at(text)}
        return {}

    def extract_report_confirmed(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "report_confirmed":
            return {}
        intent = _intent(tracker)
        if intent == "affirm":
            return {"report_confirmed": True}
        if intent in ("deny", "cancel_complaint"):
            return {"report_confirmed": False}
        if intent == "edit_complaint":
            # "주소를 고칠게요" or its button at the summary: ask that field again. The field is
            # the NLU's complaint_field entity (address | description | category).
            field = _entity(tracker, "complaint_field")
            if field == "category":  # the summary's "other category" button: the list is shown next
                return {"report_confirmed": None}
            slot = "report_description" if field == "description" else "report_address"
            return {slot: None, "report_confirmed": None}
        if _entity(tracker, "complaint_category"):  # a category button: the summary is shown again
            return {"report_confirmed": None}
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

    def validate_report_address(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"report_address": value if self._within_limit("address", value, dispatcher) else None}

    def validate_report_description(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"report_description": value if self._within_limit("description", value, dispatcher) else None}

    def validate_report_confirmed(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is False:
            return {"report_confirmed": False, "form_abort": True}
        return {"report_confirmed": value}


class ActionAskReportAddress(BlockingAction):
    """'Where?', about the category's own place (차가 세워진 곳, 고장 난 등이 있는 곳)."""

    def name(self) -> str:
        return "action_ask_report_address"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        info = current_category(tracker)
        dispatcher.utter_message(response="utter_ask_report_address", category_name=info.name, place=info.place)
        return []


class ActionAskReportDescription(BlockingAction):
    """'What happened?', naming what this category's form asks for (complaints.yml `asks`)."""

    def name(self) -> str:
        return "action_ask_report_description"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        info, labels = current_category(tracker), service.question_labels()
        wanted = [labels[a] for a in info.asks if a not in ("address", "description") and a in labels]
        details = ", ".join(wanted or [labels.get("description", "")])
        dispatcher.utter_message(response="utter_ask_report_description", details=details)
        return []


MAX_OTHER_CATEGORIES = 2  # one-tap alternatives on the summary, besides "다른 종류 고르기"


class ActionAskReportConfirmed(BlockingAction):
    """The summary before filing: category, department, legal processing period, and one-tap
    buttons to change the category."""

    def name(self) -> str:
        return "action_ask_report_confirmed"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        code = current_category(tracker).code
        if _intent(tracker) == "edit_complaint" and _entity(tracker, "complaint_field") == "category":
            return self._choose_category(dispatcher, domain, code)
        with session_scope() as session:
            cat = service.category_summary(session, code)
        photo = "utter_report_photo_yes" if tracker.get_slot("report_photo_url") else "utter_report_photo_no"
        said = f'{tracker.get_slot("report_address") or ""} {tracker.get_slot("report_description") or ""}'
        others = [c for c, _ in service.rank_categories(said) if c != code][:MAX_OTHER_CATEGORIES]
        buttons = [self._category_button(domain, c) for c in others]
        buttons += [
            {
                "title": response_text(domain, "utter_report_more_categories_button"),
                "payload": '/edit_complaint{"complaint_field": "category"}',
            },
            {"title": response_text(domain, "utter_report_cancel_button"), "payload": "/deny"},
        ]
        utter_literal(
            dispatcher,
            tracker,
            domain,
            "utter_report_summary",
            buttons=buttons,
            category_name=cat.name,
            department_name=cat.department_name,
            processing_days=cat.processing_days,
            photo_text=response_text(domain, photo),
        )
        return []

    @staticmethod
    def _category_button(domain: dict[str, Any], code: str) -> dict[str, str]:
        name = service.category_info(code).name
        title = response_text(domain, "utter_report_category_button").replace("{category_name}", name)
        return {"title": title, "payload": category_payload(code)}

    @staticmethod
    def _choose_category(dispatcher, domain: dict[str, Any], current: str) -> list[EventType]:
        buttons = [{"title": c.name, "payload": category_payload(c.code)} for c in service.category_infos()]
        dispatcher.utter_message(
            response="utter_report_choose_category", buttons=buttons, category_name=service.category_info(current).name
        )
        return []


class ActionFileComplaint(BlockingAction):
    def name(self) -> str:
        return "action_file_complaint"

    def run_blocking(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reset = [SlotSet(s, None) for s in REPORT_SLOTS]
        stopped = stopped_for_urgent(dispatcher, tracker)
        if stopped is not None:
            return reset + stopped
        if not tracker.get_slot("report_confirmed"):
            dispatcher.utter_message(response="utter_report_not_filed")
            return reset
        try:
            with session_scope() as session:
                filed = service.file_complaint(
                    session,
                    resident_of(tracker),
                    category=current_category(tracker).code,
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
            dispatcher.utter_message(response=FILING_LIMIT_RESPONSES[exc.window], limit=exc.limit, **district_vars())
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
        dispatcher.utter_message(
            response="utter_report_filed",
            receipt_no=view.receipt_no,
            department_name=view.routed_department_name,
            due_date=korean_date(view.due_date),
        )
        return reset + [SlotSet("complaint_id", view.receipt_no)]
