"""The district FAQ: answer a catalogue topic, or say honestly that the bot does not know.

The NLU predicts the intent ``faq``; the topic is picked from the catalogue's own examples
(sotong/faq/selector.py, refitted when staff change a file); a quick-reply tap sends the
topic exactly as ``/faq{"faq_topic": "<topic_id>"}``. The answer, department, phone and online route are
read from ``district/<name>/faq/*.yml`` at run time, so staff edits go live without
retraining. The wording around them is in data/responses/faq.yml.

A topic that departments.yml names for a keyword (the crisis lines for 죽고 싶어요, 119/112 for
불났어요) is answered first, whatever else is close. The catalogue also has a say when the NLU
refuses a public matter (``ask_uncovered_matter``) or is unsure (``nlu_fallback``): a topic the
selector is sure of is answered there too (actions/fallback.py), because the selector's "none of
them" class already learnt the same refusals. A question the bot cannot answer (low topic
confidence here; ask_uncovered_matter, out_of_scope or low NLU confidence in
actions/fallback.py) gets "그건 아직 제가 안내하지 못해요" with the most
likely department, the main number and 120, and up to three close topics as buttons —
never another topic's or service's answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, latest_text, profile
from actions.handoff import flag_urgent, hand_off
from actions.updates import AnswerAction
from sotong.faq import Catalogue, CatalogueError, Topic, departments, index_for, load_catalogue
from sotong.faq.departments import DepartmentDirectory
from sotong.faq.guess import Guess
from sotong.faq.selector import select
from sotong.handoff.hours import handoff_now

log = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
TOPIC_ENTITY = "faq_topic"
URGENT_OVERRIDE = "urgent_override"  # the parse key sotong/nlu/urgent.py sets (kept in the tracker)
MAX_BUTTONS = 3
# Response names (wording in data/responses/faq.yml).
RESPONSES = (
    "utter_faq_answer",
    "utter_faq_answer_online",
    "utter_faq_sample_notice",
    "utter_faq_related",
    "utter_faq_unknown",
    "utter_faq_unknown_department",
    "utter_faq_maybe_department",
    "utter_faq_did_you_mean",
)

_last_good: dict[str, Catalogue] = {}


def current_catalogue() -> Catalogue | None:
    """The catalogue as staff last saved it; if their last edit broke a file, the last good one."""
    directory = profile().directory
    try:
        catalogue = load_catalogue(directory)
    except CatalogueError as exc:
        log.error("FAQ catalogue not reloaded, serving the last good one: %s", exc)
        return _last_good.get(str(directory))
    except OSError:
        log.exception("FAQ catalogue unreadable")
        return _last_good.get(str(directory))
    _last_good[str(directory)] = catalogue
    return catalogue


def topic_button(topic: Topic) -> dict[str, str]:
    return {"title": topic.title, "payload": "/%s%s" % (RETRIEVAL_INTENT, json.dumps({TOPIC_ENTITY: topic.id}))}


def tapped_topic(tracker: Tracker) -> str | None:
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == TOPIC_ENTITY and e.get("value"):
            return str(e["value"])
    return None


def utter_topic(dispatcher: CollectingDispatcher, catalogue: Catalogue, topic: Topic, related: bool = True) -> None:
    """The topic's answer, its related topics as buttons (``related``), the sample notice."""
    facts = {
        "faq_title": topic.title,
        "faq_answer": topic.answer,
        "faq_department": topic.department,
        "faq_phone": topic.phone,
    }
    if topic.online:
        dispatcher.utter_message(
            response="utter_faq_answer_online",
            faq_online_name=topic.online.name,
            faq_online_url=topic.online.url,
            **facts,
        )
    else:
        dispatcher.utter_message(response="utter_faq_answer", **facts)
    others = catalogue.related(topic.id)[:MAX_BUTTONS] if related else []
    if others:
        dispatcher.utter_message(response="utter_faq_related", buttons=[topic_button(t) for t in others])
    if topic.sample:
        dispatcher.utter_message(response="utter_faq_sample_notice", **district_vars())


def utter_unknown(dispatcher: CollectingDispatcher, guess: Guess, candidates: Sequence[Topic] = ()) -> str:
    """The honest answer: not covered yet, who to ask, and the closest topics we do cover.

    Returns what was said: "answered" (the directory names a topic that answers the matter,
    e.g. the crisis lines), "pointed" (a department, sure enough), "maybe" (only a keyword
    named the department; said as a maybe) or "unknown" (no department).
    """
    vars_ = district_vars()
    # Why the pointer went where it did, for staff; the keyword is part of what the resident
    # typed (it may be 자살 or 난임), so only at DEBUG.
    log.info("honest answer: department %s via %s", guess.department, "keyword" if guess.keyword else "topics")
    log.debug("honest answer keyword: %s", guess.keyword)
    catalogue = current_catalogue()
    answer = catalogue.topic(guess.topic_id) if catalogue and guess.topic_id else None
    if catalogue and answer is not None:
        utter_topic(dispatcher, catalogue, answer)
        return "answered"
    facts = {"faq_department": guess.department, "faq_phone": guess.phone, **vars_}
    if guess.department and not guess.tentative:
        dispatcher.utter_message(response="utter_faq_unknown_department", **facts)
        outcome = "pointed"
    else:
        dispatcher.utter_message(response="utter_faq_unknown", **vars_)
        outcome = "unknown"
        if guess.department:
            dispatcher.utter_message(response="utter_faq_maybe_department", **facts)
            outcome = "maybe"
    topics = list(dict.fromkeys(list(candidates) + list(guess.topics)))[:MAX_BUTTONS]
    if topics:
        dispatcher.utter_message(response="utter_faq_did_you_mean", buttons=[topic_button(t) for t in topics])
    if guess.department and guess.sample:
        dispatcher.utter_message(response="utter_faq_sample_notice", **vars_)
    return outcome


def current_directory() -> DepartmentDirectory | None:
    """The department directory as staff last saved it; if their last edit broke it, the last good one."""
    return departments.current_directory(profile().directory)


def sure_topic(catalogue: Catalogue, text: str) -> Topic | None:
    """The topic to answer outright: the one departments.yml names for a keyword in the question
    (the crisis lines for 죽고 싶어요, 119/112 for 불났어요: safety first, whatever else is close),
    else the one the selector is sure of (it beats "none of them" by the calibrated margin,
    sotong/faq/selector.py); None when neither."""
    guess = guess_for(text)
    named = catalogue.topic(guess.topic_id) if guess and guess.topic_id else None
    if named is not None:
        return named
    candidates = select(catalogue, text, 1)
    return candidates[0].topic if candidates and candidates[0].confident else None


def urgent_topic(catalogue: Catalogue | None, text: str) -> Topic | None:
    """The topic of an urgent department (departments.yml `urgent: true`: 119/112, the crisis
    lines) whose keyword is in ``text`` (DepartmentDirectory.urgent_topic); None when there is none."""
    directory = current_directory()
    topic_id = directory.urgent_topic(text) if directory else None
    return catalogue.topic(topic_id) if catalogue and topic_id else None


def answer_if_urgent(dispatcher: CollectingDispatcher, text: str) -> bool:
    """Answer ``urgent_topic``; False, saying nothing, when there is none."""
    catalogue = current_catalogue()
    topic = urgent_topic(catalogue, text)
    if catalogue is None or topic is None:
        return False
    utter_topic(dispatcher, catalogue, topic, related=False)  # no "함께 많이 찾는 내용" in a crisis
    return True


def answer_if_sure(dispatcher: CollectingDispatcher, text: str) -> bool:
    """Answer the sure topic (``sure_topic``); False, saying nothing, when there is none."""
    catalogue = current_catalogue()
    topic = sure_topic(catalogue, text) if catalogue and catalogue.topics else None
    if topic is not None:
        utter_topic(dispatcher, catalogue, topic)
        return True
    return False


def guess_for(text: str) -> Guess | None:
    catalogue = current_catalogue()
    if not catalogue or not catalogue.topics:
        return None
    return index_for(catalogue).guess(text, directory=current_directory())


def asked_for_a_person(tracker: Tracker) -> bool:
    """True when the classifier read a request for a person (request_human) in a message the
    urgent-words override made ``faq`` (sotong/nlu/urgent.py keeps its guess)."""
    override = (tracker.latest_message or {}).get(URGENT_OVERRIDE) or {}
    return override.get("classified_as") == "request_human"


class ActionAnswerFaq(AnswerAction):
    def name(self) -> str:
        return "action_answer_faq"

    def run_blocking(self, dispatcher, tracker, domain) -> list[EventType]:
        # 119/112 or the crisis lines come before the resident's pending complaint updates
        if answer_if_urgent(dispatcher, latest_text(tracker)):
            if not asked_for_a_person(tracker):
                # a callback ticket left outside office hours (the bot is not paused then) is
                # flagged too, so the morning's officer sees it first
                if flag_urgent(tracker.sender_id):
                    dispatcher.utter_message(response="utter_handoff_urgent_flagged")
                return []
            # "상담원 연결해 주세요 죽고 싶어요": the crisis lines first, and the person asked for too
            events = hand_off(dispatcher, tracker, handoff_now())
            flag_urgent(tracker.sender_id)
            return events
        return super().run_blocking(dispatcher, tracker, domain)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        catalogue = current_catalogue()
        if not catalogue or not catalogue.topics:
            utter_unknown(dispatcher, Guess(None, None, 0.0, ()))
            return []
        tapped_id = tapped_topic(tracker)
        if tapped_id:  # an exact payload: no guessing, even when staff removed the topic since
            tapped = catalogue.topic(tapped_id)
            if tapped is not None:
                utter_topic(dispatcher, catalogue, tapped)
            else:
                utter_unknown(dispatcher, Guess(None, None, 0.0, ()))
            return []
        text = latest_text(tracker)
        if answer_if_sure(dispatcher, text):
            return []
        candidates = select(catalogue, text, MAX_BUTTONS)
        # No topic fits well enough: do not guess, point to who knows and offer the candidates.
        guess = guess_for(text) or Guess(None, None, 0.0, ())
        if not guess.department and candidates:
            best = candidates[0].topic
            guess = Guess(best.department, best.phone, guess.score, guess.topics)
        utter_unknown(dispatcher, guess, [c.topic for c in candidates])
        return []
