"""Correcting (edit_form) and cancelling (cancel_form) a complaint — no re-authentication.

Both first settle *which* complaint: the receipt number said in the message, else
the resident's only complaint that still allows the change, else a choice of
theirs. A stranger's receipt number gets the same "not found" as an unknown one.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import BlockingAction, district_vars
from actions.complaints.answers import is_no_answer
from actions.complaints.forms import CarryingFormValidation
from actions.complaints.identity import resident_of
from actions.complaints.report import NOT_AN_ANSWER, _entity, _intent, _text
from actions.complaints.tracking import handler_text, receipt_asked
from actions.complaints.wording import status_label, utter_literal
from actions.urgent import stopped_for_urgent
from sotong.complaints import service
from sotong.complaints.errors import (
    ComplaintError,
    ComplaintNotFound,
    CorrectionNotAllowed,
    InvalidComplaintInput,
    TransitionRefused,
)
from sotong.complaints.service import clean_answer
from sotong.complaints.views import ComplaintView
from sotong.db import session_scope

log = logging.getLogger(__name__)
EDIT_SLOTS = ["complaint_id", "edit_field", "edit_value", "form_abort"]
CANCEL_SLOTS = ["complaint_id", "cancel_confirmed", "form_abort"]


# What a correction can change; the NLU's complaint_field entity names it
# (data/nlu/complaints.yml, edit_complaint examples and the buttons' payloads).
CORRECTABLE_FIELDS = ("address", "description")


class ChooseComplaint(CarryingFormValidation):
    """Shared by edit_form and cancel_form: settle which complaint."""

    allows = "can_correct"  # ComplaintView attribute that says the change is still possible

    def extract_complaint_id(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        asked = receipt_asked(tracker)
        if asked:
            return {"complaint_id": asked}
        if tracker.get_slot("requested_slot") is None and not tracker.get_slot("complaint_id"):
            with session_scope() as session:
                open_ones = [
                    v for v in service.list_for_resident(session, resident_of(tracker)) if getattr(v, self.allows)
                ]
            if len(open_ones) == 1:
                return {"complaint_id": open_ones[0].receipt_no}
        return {}

    def validate_complaint_id(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        with session_scope() as session:
            view = service.get_for_resident(session, str(value), resident_of(tracker))
        if view is None:
            dispatcher.utter_message(response="utter_complaint_not_found")
            return {"complaint_id": None, "form_abort": True}
        if not getattr(view, self.allows):  # e.g. already on site / already closed: say why, stop
            self.utter_not_allowed(dispatcher, view, domain)
            return {"complaint_id": view.receipt_no, "form_abort": True}
        return {"complaint_id": view.receipt_no}

    @abstractmethod
    def utter_not_allowed(self, dispatcher, view: ComplaintView, domain) -> None: ...


class ActionAskComplaintId(BlockingAction):
    """'어떤 민원인가요?' with the resident's own complaints as buttons."""

    def name(self) -> str:
        return "action_ask_complaint_id"

    def run_blocking(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        with session_scope() as session:
            views = service.list_for_resident(session, resident_of(tracker))
        if not views:
            dispatcher.utter_message(response="utter_no_complaints")
            return [SlotSet("form_abort", True)]
        buttons = [
            {"title": v.receipt_no, "payload": f'/inform{{"complaint_id": "{v.receipt_no}"}}'} for v in views[:5]
        ]
        dispatcher.utter_message(response="utter_ask_which_complaint", buttons=buttons)
        return []


class ValidateEditForm(ChooseComplaint):
    def name(self) -> str:
        return "validate_edit_form"

    def extract_edit_field(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("edit_field"):
            return {}
        field = _entity(tracker, "complaint_field")
        return {"edit_field": field} if field in CORRECTABLE_FIELDS else {}

    def extract_edit_value(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "edit_value" or _intent(tracker) in NOT_AN_ANSWER:
            return {}
        text = _text(tracker)
        if not text:
            return {}
        if is_no_answer(tracker, domain):  # "네" is not a new address: the question is asked again
            return {"edit_value": None}
        return {"edit_value": clean_answer(text) if tracker.get_slot("edit_field") == "address" else text}

    def utter_not_allowed(self, dispatcher, view: ComplaintView, domain) -> None:
        dispatcher.utter_message(
            response="utter_correction_not_allowed", receipt_no=view.receipt_no, handler=handler_text(view, domain)
        )


class ActionApplyCorrection(BlockingAction):
    def name(self) -> str:
        return "action_apply_correction"

    def run_blocking(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        reset = [SlotSet(s, None) for s in EDIT_SLOTS if s != "complaint_id"]
        stopped = stopped_for_urgent(dispatcher, tracker)
        if stopped is not None:
            return reset + stopped
        if tracker.get_slot("form_abort"):
            return reset
        field, value = tracker.get_slot("edit_field"), tracker.get_slot("edit_value")
        receipt = tracker.get_slot("complaint_id")
        try:
            with session_scope() as session:
                view = service.correct(session, receipt, resident_of(tracker), **{field: value})
        except InvalidComplaintInput as exc:
            if exc.field == "correction":
                dispatcher.utter_message(response="utter_correction_unchanged")
            elif exc.limit is not None:  # the limit of the field being corrected, as the core says
                dispatcher.utter_message(response="utter_report_too_long", max_chars=exc.limit)
            else:
                dispatcher.utter_message(response="utter_complaint_error", **district_vars())
            return reset
        except CorrectionNotAllowed:
            with session_scope() as session:
                view = service.get_for_resident(session, receipt, resident_of(tracker))
            dispatcher.utter_message(
                response="utter_correction_not_allowed", receipt_no=receipt, handler=handler_text(view, domain)
            )
            return reset
        except ComplaintNotFound:
            dispatcher.utter_message(response="utter_complaint_not_found")
            return reset
        utter_literal(
            dispatcher,
            tracker,
            domain,
            "utter_correction_done",
            receipt_no=view.receipt_no,
            address=view.address,
            description=view.description,
        )
        return reset


class ValidateCancelForm(ChooseComplaint):
    allows = "can_cancel"

    def name(self) -> str:
        return "validate_cancel_form"

    def extract_cancel_confirmed(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "cancel_confirmed":
            return {}
        intent = _intent(tracker)
        if intent in ("affirm", "cancel_complaint"):
            return {"cancel_confirmed": True}
        if intent == "deny":
            return {"cancel_confirmed": False}
        return {}

    def utter_not_allowed(self, dispatcher, view: ComplaintView, domain) -> None:
        dispatcher.utter_message(
            response="utter_cancel_not_allowed", receipt_no=view.receipt_no, status_label=status_label(view.status)
        )


class ActionCancelComplaint(BlockingAction):
    def name(self) -> str:
        return "action_cancel_complaint"

    def run_blocking(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        reset = [SlotSet(s, None) for s in CANCEL_SLOTS if s != "complaint_id"]
        stopped = stopped_for_urgent(dispatcher, tracker)
        if stopped is not None:
            return reset + stopped
        if tracker.get_slot("form_abort"):
            return reset
        if not tracker.get_slot("cancel_confirmed"):
            dispatcher.utter_message(response="utter_cancel_kept")
            return reset
        receipt = tracker.get_slot("complaint_id")
        try:
            with session_scope() as session:
                # This chat says "취하했어요" below: the stage message need not follow next turn.
                view = service.cancel(session, receipt, resident_of(tracker), shown_in_chat=True)
        except ComplaintNotFound:
            dispatcher.utter_message(response="utter_complaint_not_found")
            return reset
        except TransitionRefused as exc:
            dispatcher.utter_message(
                response="utter_cancel_not_allowed", receipt_no=receipt, status_label=status_label(exc.from_status)
            )
            return reset
        except ComplaintError:
            log.exception("cancel failed")
            dispatcher.utter_message(response="utter_complaint_error", **district_vars())
            return reset
        dispatcher.utter_message(response="utter_cancel_done", receipt_no=view.receipt_no)
        return reset
