"""Facebook Messenger, switched on by environment variables (see bot/channels/credentials.py).

Rasa's own connector (its X-Hub-Signature check included), with its messages going through the
intake every channel shares (bot/channels/provider_intake.py; the sender id is the page-scoped
user id). Same address as Rasa's `facebook` channel: /webhooks/facebook/webhook.
"""

from __future__ import annotations

from typing import Text

from rasa.core.channels.facebook import FacebookInput

from bot.channels.provider_intake import ProviderIntake


class MessengerInput(ProviderIntake, FacebookInput):
    @classmethod
    def name(cls) -> Text:
        return "facebook"
