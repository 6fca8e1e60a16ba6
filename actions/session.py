"""Starts each conversation with the clinic's details in slots, for the answers to use."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.shared.settings import load_settings


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        settings = load_settings()
        events: List[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in settings.as_slots().items()]
        events.append(ActionExecuted("action_listen"))
        return events
