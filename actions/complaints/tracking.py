"""내 민원 조회: the resident's complaints, and one with its parcel-tracking timeline."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints.identity import resident_of
from actions.complaints.wording import response_text, status_label, utter_literal
from actions.updates import AnswerAction
from sotong.complaints import service
from sotong.complaints.service import find_receipt_no, normalize_receipt_no
from sotong.complaints.views import ComplaintView
from sotong.db import session_scope
from sotong.formatting import bullet_lines, korean_date

MAX_LISTED = 5


def receipt_asked(tracker: Tracker) -> str:
    """The receipt number named in this message, normalised; '' if none.

    The NLU's entity first; else the text itself, so that whether the model
    happened to tag it can never make two look-ups answer differently.
    """
    said = next(tracker.get_latest_entity_values("complaint_id"), None)
    return normalize_receipt_no(said) or find_receipt_no(tracker.latest_message.get("text")) or ""


def handler_text(view: ComplaintView, domain: dict[str, Any]) -> str:
    """'자원순환과 김서진 (032-000-1201)': the officer in charge, as far as known."""
    if view.officer_name:
        return f"{view.department_name} {view.officer_name} ({view.officer_phone})"
    if view.department_name:
        return f"{view.department_name} ({view.department_phone})"
    return response_text(domain, "utter_complaint_handler_pending")


def timeline_lines(view: ComplaintView) -> str:
    lines = []
    for entry in view.timeline:
        when = f"{entry.at:%m.%d %H:%M}"
        label = status_label(entry.status) if entry.kind == "status" else status_label("corrected")
        who = " ".join(x for x in (entry.department_name, entry.officer_name, entry.officer_phone) if x)
        lines.append(f"{when} {label}" + (f" · {who}" if who else ""))
    return bullet_lines(lines)


def utter_detail(
    dispatcher: CollectingDispatcher, tracker: Tracker, view: ComplaintView, domain: dict[str, Any]
) -> None:
    utter_literal(
        dispatcher,
        tracker,
        domain,
        "utter_complaint_detail",
        receipt_no=view.receipt_no,
        category_name=view.category_name,
        status_label=status_label(view.status),
        address=view.address,
        handler=handler_text(view, domain),
        due_date=korean_date(view.due_date),
        overdue_text=response_text(domain, "utter_complaint_overdue") if view.overdue else "",
        timeline_lines=timeline_lines(view),
    )


class ActionComplaintStatus(AnswerAction):
    def name(self) -> str:
        return "action_complaint_status"

    def answer(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        who = resident_of(tracker)
        asked = receipt_asked(tracker)
        with session_scope() as session:
            if asked:
                view = service.get_for_resident(session, asked, who)
                if view is None:  # unknown and someone else's look the same
                    dispatcher.utter_message(response="utter_complaint_not_found")
                    return [SlotSet("complaint_id", None)]
                utter_detail(dispatcher, tracker, view, domain)
                return [SlotSet("complaint_id", view.receipt_no)]
            views = service.list_for_resident(session, who)
        if not views:
            dispatcher.utter_message(response="utter_no_complaints")
            return []
        if len(views) == 1:
            utter_detail(dispatcher, tracker, views[0], domain)
            return [SlotSet("complaint_id", views[0].receipt_no)]
        lines = [
            f"{v.receipt_no} {v.category_name} · {status_label(v.status)} ({v.address[:20]})"
            for v in views[:MAX_LISTED]
        ]
        buttons = [
            {"title": v.receipt_no, "payload": f'/check_complaint_status{{"complaint_id": "{v.receipt_no}"}}'}
            for v in views[:MAX_LISTED]
        ]
        utter_literal(
            dispatcher, tracker, domain, "utter_complaint_list", complaint_lines=bullet_lines(lines), buttons=buttons
        )
        return []
