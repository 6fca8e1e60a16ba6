"""Telegram, switched on by environment variables (see bot/channels/credentials.py).

Rasa's own connector, with three gaps filled: updates are refused without the webhook's secret
token (Messenger and Slack already check their signatures), the client's HTTP session
belongs to the event loop that uses it, and messages go through the intake every channel
shares (bot/channels/provider_intake.py; the sender id is the chat id).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.provider_intake import ProviderIntake

logger = logging.getLogger(__name__)


class LoopSafeTelegramOutput(TelegramOutput):
    """Rasa builds the Telegram client before the server's event loop runs; its HTTP
    session must belong to the loop that uses it, or every call fails ("Event loop is closed")."""

    def __init__(self, access_token: Optional[Text], secret_token: str = "") -> None:
        super().__init__(access_token)
        self.secret_token = secret_token

    async def set_webhook(self, url: Text, *args: Any, **kwargs: Any) -> Any:
        """Registers the webhook with its secret token, which Telegram sends on every update."""
        payload: Dict[str, Any] = {"url": url}
        if self.secret_token:
            payload["secret_token"] = self.secret_token
        return await self.request("setWebhook", payload)

    @property
    def session(self):
        loop = asyncio.get_event_loop()
        if (
            self._session is None
            or self._session.closed
            or getattr(self._session, "_loop", loop) is not loop
        ):
            self._session = self.get_new_session()
        return self._session


class SecretTelegramInput(ProviderIntake, TelegramInput):
    """Telegram, answering only requests with the webhook's secret token header."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> SecretTelegramInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            debug_mode=False,
        )
        channel.secret_token = credentials.get("secret_token") or ""
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def refuse_unsigned(request: Request):
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if (
                request.method == "POST"
                and request.path.endswith("/webhook")
                and not (self.secret_token and hmac.compare_digest(given, self.secret_token))
            ):
                logger.warning("Refused a Telegram request without the secret token.")
                return response.json({"error": "invalid secret token"}, status=403)
            return None

        return webhook

    def get_output_channel(self) -> TelegramOutput:
        return LoopSafeTelegramOutput(self.access_token, self.secret_token)
