"""The answer to a plain report of back pain, and to the question asked with it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.shared.open_set import asked_topic, asked_uncovered


class ActionBackPainReport(Action):
    def name(self) -> Text:
        return "action_back_pain_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_back_pain_report")
        latest = tracker.latest_message or {}
        topic = asked_topic(latest)
        if topic:
            dispatcher.utter_message(response=f"utter_{topic}")
        elif asked_uncovered(latest):
            dispatcher.utter_message(response="utter_not_covered")
        return []
