"""여권: documents, fee, processing time, where and when, and what to do when it is lost.

All facts come from the district profile's ``passport`` section; the wording is in
data/responses/passport.yml.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text, profile, utter_sample_notice
from sotong.formatting import bullet_lines
from actions.updates import AnswerAction

# Which part of the passport answer a question is about, by the words residents use.
# Checked in order: a lost passport matters more than its fee.
_TOPICS = (
    ("utter_passport_lost", re.compile(r"분실|잃어|잃었|없어졌|도난|잊어버")),
    ("utter_passport_documents", re.compile(r"서류|준비물|필요|챙겨|가져가|사진|구비")),
    ("utter_passport_fees", re.compile(r"수수료|비용|얼마|가격|돈")),
    ("utter_passport_processing", re.compile(r"기간|며칠|몇\s*일|언제\s*나|걸려|걸리|소요")),
    ("utter_passport_place", re.compile(r"어디|장소|위치|몇\s*시|시간")),
)


def passport_topic(text: str) -> str:
    for response, pattern in _TOPICS:
        if pattern.search(text):
            return response
    return "utter_passport_overview"


class ActionPassport(AnswerAction):
    def name(self) -> Text:
        return "action_passport"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        p = profile()
        info = p.section("passport")
        fees = [f"{f['kind']}: {f['fee']}" for f in info.get("fees", [])]
        dispatcher.utter_message(
            response=passport_topic(latest_text(tracker)),
            passport_place=info.get("place", ""),
            passport_hours=info.get("hours", ""),
            passport_processing=info.get("processing_days", ""),
            passport_documents=bullet_lines(info.get("documents", [])),
            passport_fees=bullet_lines(fees),
        )
        utter_sample_notice(dispatcher, p.is_sample, p)
        return []
