"""The answer to a plain report of back pain, and to the question asked with it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

# Set by the pipeline (bot/nlu/not_covered_guard.py): the FAQ topic the message asks about,
# and whether that topic truly answers it.
OPEN_SET = "open_set"


def asked_topic(latest_message: Dict[Text, Any]) -> Optional[str]:
    """The FAQ topic the report's question asks about ("faq/<topic>"), when one answers it."""
    open_set = latest_message.get(OPEN_SET) or {}
    topic = open_set.get("topic")
    if open_set.get("covered") and isinstance(topic, str) and topic.startswith("faq/"):
        return topic
    return None


class ActionBackPainReport(Action):
    def name(self) -> Text:
        return "action_back_pain_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_back_pain_report")
        topic = asked_topic(tracker.latest_message or {})
        if topic:
            dispatcher.utter_message(response=f"utter_{topic}")
        return []
