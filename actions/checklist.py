"""The contraindication checklist: starting it, reading answers, and the summary."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.shared.checklist_answers import LEAVES_THE_CHECKLIST, checklist_reading
from bot.shared.condition_matcher import ConditionMatcher
from bot.shared.conditions import condition_keys, plain_name
from bot.shared.names import (
    CONDITION_ENTITY,
    FLAGGED_CONDITIONS,
    NEGATED_CONDITION_ENTITY,
    REQUESTED_SLOT,
    SCREENING_RESULT,
)
from bot.shared.settings import load_settings

# The words with which an answer offers the checklist: a "yes" right after such an answer starts it.
CHECKLIST_OFFER = "check if I can do it"
CLEAR = "clear"
CONTRAINDICATED = "contraindicated"


def stated_conditions(tracker: Tracker) -> Dict[str, bool]:
    """Conditions the latest message names: True if the user has it, False if they deny it."""
    stated: Dict[str, bool] = {}
    known = set(condition_keys())
    for entity in tracker.latest_message.get("entities", []):
        key = entity.get("value")
        # A visitor can type "/intent{...}" with any JSON as a value: only known keys count.
        if not isinstance(key, str) or key not in known:
            continue
        if entity.get("entity") == CONDITION_ENTITY:
            stated[key] = True
        elif entity.get("entity") == NEGATED_CONDITION_ENTITY:
            stated.setdefault(key, False)
    return stated


@lru_cache(maxsize=1)
def condition_matcher() -> ConditionMatcher:
    return ConditionMatcher()


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def join_plain(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def offers_checklist(response: Optional[str], domain: DomainDict) -> bool:
    """Whether the answer's text offers the checklist (the domain holds every answer's text)."""
    variants = (domain.get("responses") or {}).get(response or "") or []
    return any(CHECKLIST_OFFER in (variant.get("text") or "") for variant in variants)


def last_bot_response(tracker: Tracker) -> Optional[str]:
    """The response the assistant gave just before the message being answered now."""
    passed_latest_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if passed_latest_user_message:
                return None
            passed_latest_user_message = True
        elif event.get("event") == "bot" and passed_latest_user_message:
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionStartChecklist(Action):
    """Clears earlier answers, keeps conditions the user already named, introduces the form."""

    def name(self) -> Text:
        return "action_start_checklist"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        stated = stated_conditions(tracker)
        events: List[EventType] = [SlotSet(key, stated.get(key)) for key in condition_keys()]
        events += [SlotSet(SCREENING_RESULT, None), SlotSet(FLAGGED_CONDITIONS, None)]
        dispatcher.utter_message(response="utter_checklist_intro")
        reported = [plain_name(k) for k, has_it in stated.items() if has_it]
        if reported:
            dispatcher.utter_message(
                text=f"You mentioned {join_plain(reported)}: I've noted that. "
                "Now the other questions."
            )
        return events


class ActionAcceptOffer(Action):
    """A "yes" outside the checklist: start it if the assistant had just offered it."""

    def name(self) -> Text:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if offers_checklist(last_bot_response(tracker), domain):
            return [FollowupAction("action_start_checklist")]
        dispatcher.utter_message(response="utter_no_problem")
        return []


class ValidateChecklistForm(FormValidationAction):
    """Turns each answer into the checklist slots (read by bot/shared/checklist_answers.py).

    The answer to the asked question is read the safe way (doubt counts as yes, and says so;
    a medicine for the condition is a yes, and says why); other conditions named in the
    message ("yes, I had a stroke", "I have a pacemaker") are recorded too; an answer that
    fits none of these is asked again.
    """

    def name(self) -> Text:
        return "validate_checklist_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return condition_keys()

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        asked = tracker.get_slot(REQUESTED_SLOT)
        intent = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        if asked not in condition_keys():
            if intent in LEAVES_THE_CHECKLIST:
                return []
            return [SlotSet(key, value) for key, value in stated_conditions(tracker).items()]
        answer = checklist_reading(asked, text, intent, condition_matcher())
        if answer is None:
            return []  # the rules answer it (and ask the same question again) or end the checklist
        answers: Dict[str, Optional[bool]] = dict(answer.others)
        if answer.unsure:
            dispatcher.utter_message(response="utter_checklist_unsure")
        elif answer.explanation:
            dispatcher.utter_message(text=answer.explanation)
        if answer.value is None and not answer.others:
            dispatcher.utter_message(response="utter_checklist_answer_yes_no")
        # None keeps the form on the asked question, so it is asked again.
        answers[asked] = answer.value
        return [SlotSet(key, value) for key, value in answers.items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        keys = set(condition_keys())
        return [SlotSet(k, v) for k, v in tracker.slots_to_validate().items() if k in keys]


class ActionScreeningSummary(Action):
    """Sets screening_result and flagged_conditions and tells the user what they mean."""

    def name(self) -> Text:
        return "action_screening_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        flagged = [key for key in condition_keys() if tracker.get_slot(key) is True]
        dispatcher.utter_message(text=summary_text(flagged))
        result = CONTRAINDICATED if flagged else CLEAR
        return [SlotSet(SCREENING_RESULT, result), SlotSet(FLAGGED_CONDITIONS, flagged)]


# Conditions where seeing a doctor soon matters more than the booking.
SEE_A_DOCTOR_SOON = ("recent_heart_attack", "unstable_angina")
AGE_KEY = "under_18"


def summary_text(flagged: List[str]) -> str:
    """What the checklist's result means; it always ends with the doctor."""
    settings = load_settings()
    if not flagged:
        return (
            f"Thank you. You didn't report any of the {len(condition_keys())} conditions on the "
            "checklist. That is not a medical clearance. When you're ready, you can book at "
            f"{settings.booking_url} or call {settings.clinic_phone}. Before you book, please "
            "talk to your doctor: only they can say whether cryotherapy is right for you."
        )
    parts = ["Thank you."]
    if AGE_KEY in flagged:
        parts.append(
            "Whole-body cryotherapy is not for anyone under 18, so please don't book a " "session."
        )
    conditions = [k for k in flagged if k != AGE_KEY]
    if conditions:
        parts.append(
            f"You reported {join_plain(plain_name(k) for k in conditions)}. Whole-body "
            "cryotherapy is not recommended for people with "
            + ("this condition." if len(conditions) == 1 else "these conditions.")
        )
    soon = [k for k in conditions if k in SEE_A_DOCTOR_SOON]
    if soon:
        parts.append(
            f"With {join_plain(plain_name(k) for k in soon)}, please see your doctor "
            "soon, not only before booking."
        )
    parts.append(
        "Please talk to your doctor: they know your health and can suggest what may "
        "help your back."
    )
    return " ".join(parts)
