"""Slack, switched on by environment variables (see bot/channels/credentials.py).

Rasa's own connector (its signing-secret check and quick answer to Slack included), with its
messages going through the intake every channel shares (bot/channels/provider_intake.py; the
sender id is the Slack user id). Same address as Rasa's `slack` channel: /webhooks/slack/webhook.
"""

from __future__ import annotations

from typing import Text

from rasa.core.channels.slack import SlackInput

from bot.channels.provider_intake import ProviderIntake


class SlackAppInput(ProviderIntake, SlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"
