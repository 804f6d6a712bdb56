"""Never a dead end: when unsure, offer the services closest to what was asked.

A question about a 구청 matter the bot does not cover (the FAQ catalogue's topics come
closest, sotong/faq/guess.py) is answered honestly: "그건 아직 제가 안내하지 못해요", the
department most likely to know with its phone, the main number and 120, and up to three
close topics as buttons — never another service's answer. Anything else (small talk,
gibberish) gets the closest services from the menu, as before.

When only a directory keyword points somewhere (no catalogue topic shares wording with the
question, sotong/faq/guess.py ``tentative``), the menu comes first and the department is
offered as a maybe: the keyword may sit across a word break.

Two civic questions in a row that the bot could not answer: the second time the resident
is handed to an officer, as if they had asked for 상담원 연결 (actions/handoff.hand_off).
The count is read from the tracker's events, so it survives action-server restarts and
works across replicas; small talk, a tentative pointer and other answers break the run. A
public matter the NLU recognises as uncovered (``ask_uncovered_matter``) with no department to
name gets the honest "not yet" with the main number and 120, and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, latest_text
from actions.complaints.tracking import ActionComplaintStatus, receipt_asked
from actions.faq import answer_if_sure, guess_for, utter_unknown
from actions.handoff import hand_off
from actions.updates import AnswerAction
from sotong.handoff.hours import handoff_now

MAX_SUGGESTIONS = 4

# the second failed civic answer in a row hands the resident over
FAILURES_BEFORE_HANDOFF = 2
# what the civic "I can't answer that" path utters (actions/faq.utter_unknown)
_UNKNOWN = {"utter_faq_unknown", "utter_faq_unknown_department"}
_FAILURE_HANDOFF = "utter_handoff_after_failures"
_MAYBE = "utter_faq_maybe_department"
# a public matter the NLU knows the bot does not cover (동물등록, 등기부등본 …)
UNCOVERED = "ask_uncovered_matter"

# The NLU refused a public matter or was unsure: a topic departments.yml names (119/112, the
# crisis lines) or one the catalogue selector is sure of is answered (its "none of them" class
# learnt the same refusals; in the held-out FAQ tests most such refusals were a topic the
# selector picked right, docs/benchmarks.md). Small talk (out_of_scope) is not second-guessed.
SECOND_OPINION = {UNCOVERED, "nlu_fallback"}

# The first line when no department can be named: small talk gets a polite refusal, a public
# matter the honest "not yet" with the main number and 120, anything else "I did not understand".
_OPENING = {"out_of_scope": "utter_out_of_scope", UNCOVERED: "utter_faq_unknown"}


def menu_buttons(domain: dict[str, Any]) -> list[dict[str, str]]:
    """The main menu's buttons, as written in data/responses/menu.yml."""
    variations = (domain.get("responses") or {}).get("utter_main_menu") or [{}]
    return list(variations[0].get("buttons") or [])


def closest_services(ranking: list[dict[str, Any]], buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    """Menu buttons ordered by the NLU's ranking of their intents; the rest of the menu fills up."""
    by_intent = {b["payload"].lstrip("/").split("{")[0]: b for b in buttons}
    chosen = [by_intent[r["name"]] for r in ranking if r.get("name") in by_intent]
    for b in buttons:
        if b not in chosen:
            chosen.append(b)
    return chosen[:MAX_SUGGESTIONS]


def _failed_civic_turn(turn: Sequence[dict[str, Any]]) -> bool:
    """One resident turn (its events after the user message): the fallback ran and said it
    could not answer a civic question, and did not already hand the resident over."""
    ran_fallback = any(e.get("event") == "action" and e.get("name") == ActionFallbackMenu.NAME for e in turn)
    said = {(e.get("metadata") or {}).get("utter_action") for e in turn if e.get("event") == "bot"}
    # a keyword-only "maybe" (tentative) may have misfired: it never counts
    return ran_fallback and bool(said & _UNKNOWN) and not said & {_FAILURE_HANDOFF, _MAYBE}


def previous_failures(events: Sequence[dict[str, Any]]) -> int:
    """Consecutive resident turns just before the current message that the fallback failed
    to answer. Rasa logs a custom action's responses as ``bot`` events whose metadata
    names the response (``utter_action``); a new session starts the count again."""
    turns: list[list[dict[str, Any]]] = []
    for e in events:
        kind = e.get("event")
        if kind == "session_started":
            turns = []
        elif kind == "user":
            turns.append([])
        elif turns:
            turns[-1].append(e)
    count = 0
    for turn in reversed(turns[:-1]):  # the last turn is the one being answered now
        if not _failed_civic_turn(turn):
            break
        count += 1
    return count


class ActionFallbackMenu(AnswerAction):
    NAME = "action_fallback_menu"

    def __init__(self, clock: Callable[[], datetime] = handoff_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return self.NAME

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        latest = tracker.latest_message or {}
        if receipt_asked(tracker):
            # A receipt number has a fixed shape: whatever the NLU made of the words around
            # it ("ZZZZ-2222 조회해 주세요" → out_of_scope), the resident is asking about it.
            return ActionComplaintStatus().answer(dispatcher, tracker, domain)
        intent = (latest.get("intent") or {}).get("name")
        if intent in SECOND_OPINION and answer_if_sure(dispatcher, latest_text(tracker)):
            return []  # a catalogue topic answers it after all: not a failed turn
        guess = guess_for(latest_text(tracker))
        # a topic the directory names (the crisis lines for 죽고 싶어요) is answered even on a keyword alone
        if guess is not None and guess.civic and (guess.topic_id or not guess.tentative):
            if utter_unknown(dispatcher, guess) != "pointed":
                return []  # answered by a topic the directory names: not a failed turn
            if previous_failures(tracker.events) + 1 >= FAILURES_BEFORE_HANDOFF:
                dispatcher.utter_message(response=_FAILURE_HANDOFF)
                return hand_off(dispatcher, tracker, self._clock())
            if not guess.topics:  # no close topic to offer: a person is the way forward
                dispatcher.utter_message(response="utter_fallback_human_hint", **district_vars())
            return []
        buttons = closest_services(latest.get("intent_ranking") or [], menu_buttons(domain))
        dispatcher.utter_message(response=_OPENING.get(intent, "utter_fallback"), buttons=buttons, **district_vars())
        tentative = guess is not None and guess.tentative
        # a public matter and no department to name: a failed turn like any civic one
        failed_again = previous_failures(tracker.events) + 1 >= FAILURES_BEFORE_HANDOFF
        if intent == UNCOVERED and not tentative and failed_again:
            dispatcher.utter_message(response=_FAILURE_HANDOFF)
            return hand_off(dispatcher, tracker, self._clock())
        if tentative:
            # only a keyword pointed somewhere ("제 의견인데요" holds 견인): offer it as a maybe
            dispatcher.utter_message(response=_MAYBE, faq_department=guess.department, faq_phone=guess.phone)
            if guess.sample:  # the same notice as the firm pointer (actions/faq.utter_unknown)
                dispatcher.utter_message(response="utter_faq_sample_notice", **district_vars())
        dispatcher.utter_message(response="utter_fallback_human_hint", **district_vars())
        return []
