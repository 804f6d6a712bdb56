"""여권: documents, fee, processing time, where and when, and what to do when it is lost.

Which part a question is about comes from the NLU, not from words listed here: the
`passport_facet` entity (data/nlu/passport.yml: 잃어버렸어요 -> lost, 준비물 -> documents …)
and the `day` entity ("토요일에 여권 찾을 수 있어요?" -> sat). A question about a day is
answered for that day first, from the office hours (sotong/office_hours.py). Facts come
from the profile's ``passport`` section; the wording is in data/responses/passport.yml.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import profile, utter_sample_notice
from actions.office_hours import day_asked
from actions.updates import AnswerAction
from sotong.formatting import bullet_lines
from sotong.office_hours import hours_on

# facet (the entity's value) -> its answer, most pressing first: a lost passport matters more than its fee
FACETS = {
    "lost": "utter_passport_lost",
    "documents": "utter_passport_documents",
    "fees": "utter_passport_fees",
    "processing": "utter_passport_processing",
    "place": "utter_passport_place",
}
SERVICE = "passport"  # the service code the profile's extended office hours name


def passport_facets(entities: list[dict[str, Any]]) -> list[str]:
    """The facets the message asks about (the `passport_facet` entity), most pressing first."""
    asked = {e.get("value") for e in entities if e.get("entity") == "passport_facet"}
    return [f for f in FACETS if f in asked]


class ActionPassport(AnswerAction):
    def name(self) -> str:
        return "action_passport"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        p = profile()
        info = p.passport
        facts = dict(
            passport_place=info.place,
            passport_hours=info.hours,
            passport_processing=info.processing_days,
            passport_documents=bullet_lines(info.documents),
            passport_fees=bullet_lines(f"{f.kind}: {f.fee}" for f in info.fees),
        )
        facets = passport_facets((tracker.latest_message or {}).get("entities") or [])
        day = day_asked(tracker)
        if day:
            on_day = hours_on(p.office_hours.hours(), day["code"], SERVICE)
            dispatcher.utter_message(
                response="utter_passport_day_open" if on_day.open else "utter_passport_day_closed",
                day=day["said"],
                day_hours=on_day.text(),
                **facts,
            )
            facets = [f for f in facets if f != "place"]  # the day answer already said where and when
        if facets:
            dispatcher.utter_message(response=FACETS[facets[0]], **facts)
        elif not day:
            dispatcher.utter_message(response="utter_passport_overview", **facts)
        utter_sample_notice(dispatcher, p.is_sample, p)
        return []
