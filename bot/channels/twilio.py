"""Twilio SMS and WhatsApp, switched on by environment variables (see bot/channels/credentials.py).

Rasa's own connector does the work. Three gaps are filled here: requests are refused unless
signed, buttons become numbered options on these text-only channels (the checklist
accepts "1"/"2" as well as yes/no), and messages go through the intake every channel shares
(bot/channels/provider_intake.py; the sender id is the phone number or WhatsApp address).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.provider_intake import ProviderIntake

logger = logging.getLogger(__name__)


def numbered_options(text: str, buttons: List[Dict[str, Any]]) -> str:
    """A question with its choices as a numbered list, for channels without buttons."""
    options = "\n".join(
        f"{number}) {button.get('title', '')}" for number, button in enumerate(buttons, 1)
    )
    return f"{text}\n{options}\nReply with a number or a word."


class NumberedTwilioOutput(TwilioOutput):
    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, buttons))


class SignedTwilioInput(ProviderIntake, TwilioInput):
    """Twilio SMS and WhatsApp, answering only requests that carry a valid X-Twilio-Signature."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> SignedTwilioInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            webhook_url=credentials.get("webhook_url"),
        )

    def __init__(
        self, account_sid, auth_token, twilio_number, webhook_url: Optional[str] = None
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url

    def signature_is_valid(self, request: Request) -> bool:
        from twilio.request_validator import RequestValidator

        # Twilio signs the public URL it called; behind a proxy that is TWILIO_WEBHOOK_URL.
        url = self.webhook_url or request.url
        params = {key: values[0] for key, values in request.form.items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and RequestValidator(self.auth_token).validate(
            url, params, signature
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def refuse_unsigned(request: Request):
            if request.method == "POST" and not self.signature_is_valid(request):
                logger.warning("Refused a Twilio request with a missing or wrong signature.")
                return response.json({"error": "invalid signature"}, status=403)
            return None

        return webhook

    def get_output_channel(self) -> OutputChannel:
        return NumberedTwilioOutput(self.account_sid, self.auth_token, self.twilio_number)
