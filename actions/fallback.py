"""What the assistant says when it does not understand."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.shared.names import NLU_FALLBACK as FALLBACK_INTENT

# After this many misses in a row, offer the clinic's contact instead of another "rephrase".
MISSES_BEFORE_CONTACT = 2


def misses_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from now, were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if misses_in_a_row(tracker) >= MISSES_BEFORE_CONTACT:
            dispatcher.utter_message(response="utter_fallback_contact")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        # Forget the message so that it does not steer the next prediction.
        return [UserUtteranceReverted()]
