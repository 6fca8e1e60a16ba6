"""Rasa's messaging connectors (Twilio, Telegram, Messenger, Slack) behind the intake.

Each connector reads its provider's request, checks its signature and builds the UserMessage
in its own webhook handler, and every handler ends in `on_new_message`: wrapping that one
callable puts all four behind the same intake (bot/channels/intake.py) without copying any
handler, after their own signature checks. The intake's replies (rate limit, empty or long
message, apology) go to the sender through the connector's output channel, and the webhook
answers the provider as the connector always did, so the provider does not retry.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.intake import CLIENT_ADDRESS, Intake

logger = logging.getLogger(__name__)


def remember_client_address(webhook: Blueprint) -> None:
    """Keeps the request's address for the per-IP limit: the intake gets the message only."""

    @webhook.middleware("request")
    async def remember(request: Request) -> None:
        CLIENT_ADDRESS.set((request.ip, request.headers.get("X-Real-IP")))


def never_a_server_error(webhook: Blueprint, channel: str) -> None:
    """A request the connector cannot read gets a 400 with a JSON error, never a 500."""

    def unreadable() -> HTTPResponse:
        return response.json(
            {"error": f"The request could not be read as a {channel} message."}, status=400
        )

    @webhook.exception(Exception)
    async def connector_failed(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException) and exception.status_code < 500:
            return request.app.error_handler.default(request, exception)
        # The type only: the exception's text may quote the message.
        logger.warning("%s: a request could not be read (%s).", channel, type(exception).__name__)
        return unreadable()

    @webhook.middleware("response")
    async def no_server_error(request: Request, answer: HTTPResponse) -> Any:
        # Rasa's Slack connector answers some payloads it cannot read with a 500 of its own.
        return unreadable() if answer.status >= 500 else None


class ProviderIntake:
    """Mixin for a Rasa messaging input channel: its messages go through the intake.

    The limits are read from the environment when the server builds the channel's webhook."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        intake = Intake.from_environ()
        webhook = super().blueprint(intake.guard(on_new_message, self.name()))
        remember_client_address(webhook)
        never_a_server_error(webhook, self.name())
        return webhook
