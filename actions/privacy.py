"""Deleting a visitor's conversation when they ask for it (after they confirmed)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.shared.privacy import CONVERSATION_DELETED, DELETE_ACTION


class ActionDeleteConversation(Action):
    """Says it is done; the tracker store deletes the conversation when it saves this turn."""

    def name(self) -> Text:
        return DELETE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_conversation_deleted")
        # Tells the chat widget to forget its copy of the conversation in the visitor's browser too.
        dispatcher.utter_message(json_message={CONVERSATION_DELETED: True})
        return []
