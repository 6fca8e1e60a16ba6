"""One intake for every input channel: the steps a visitor's message goes through first.

The REST channel and the widget (bot/channels/rest.py) and the messaging connectors
(bot/channels/provider_intake.py) all hand their messages to an Intake: the rate limits per
client address and per sender id (bot/channels/rate_limit.py), a sender id that can be stored,
an empty message answered with a prompt, a long message cut for the classifiers with its
whole text kept in the metadata for the safety check, and an apology with the clinic's
contact when the assistant answers nothing. The log gets the channel and lengths only, never
a sender id or the text (health data).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.rate_limit import ChannelLimits
from bot.shared.metadata import FULL_TEXT
from bot.shared.settings import load_settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
# The most the safety check reads of one message: what REST's 64 KB body can carry. No provider
# sends more (SMS 1,600, Messenger 2,000, Telegram 4,096, Slack 40,000), but a signed request could.
MAX_FULL_TEXT_CHARS = 64 * 1024

EMPTY_MESSAGE_REPLY = (
    "It looks like your message was empty. What would you like to know about "
    "cryotherapy for back pain?"
)
LONG_MESSAGE_NOTE = (
    "Your message was quite long, so I answered its first part. If I missed your "
    "question, please ask it in a sentence or two."
)
RATE_LIMITED_REPLY = (
    "You're sending messages faster than I can answer. Please wait a few seconds and try again. "
    "If this is an emergency, call {emergency_number} now."
)
FAILURE_REPLY = (
    "Sorry, something went wrong on my side. Please try again in a moment, or contact "
    "{clinic_name} on {clinic_phone}. In an emergency, call {emergency_number}."
)

# The address of the request being handled (TCP peer, X-Real-IP), for connectors whose
# messages reach the intake without their request (bot/channels/provider_intake.py).
CLIENT_ADDRESS: ContextVar[Tuple[str, Optional[str]]] = ContextVar(
    "client_address", default=("", None)
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class IncomingMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]
    truncated: bool = False
    full_text: str = ""


def shorten(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The start of a long message, cut at a word boundary where there is one."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind(" ")
    return head[:cut] if cut > limit // 2 else head


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def sender_problem(sender: object) -> Optional[str]:
    """What makes a sender id unusable, in words that follow its name; None when it is fine."""
    if not isinstance(sender, str) or not sender.strip():
        return "is required and must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"must be at most {MAX_SENDER_CHARS} characters"
    if not encodable(sender):
        # A lone surrogate ("\ud800") cannot be stored: Rasa's SQL store exits the server.
        return "must be valid Unicode text"
    return None


def incoming_message(sender: str, text: str, metadata: Optional[Dict[str, Any]]) -> IncomingMessage:
    """A message as the bot reads it: storable text, cut at the limit, the whole text kept."""
    if not encodable(text):
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    text = text[:MAX_FULL_TEXT_CHARS]
    short = shorten(text)
    return IncomingMessage(
        sender=sender, text=short, metadata=metadata, truncated=short != text, full_text=text
    )


def message_metadata(incoming: IncomingMessage) -> Optional[Dict[str, Any]]:
    """The client's metadata, plus the whole text of a long message (never the client's own)."""
    metadata = {k: v for k, v in (incoming.metadata or {}).items() if k != FULL_TEXT}
    if incoming.truncated:
        metadata[FULL_TEXT] = incoming.full_text
    return metadata if metadata or incoming.metadata is not None else None


def rate_limited_reply() -> str:
    return RATE_LIMITED_REPLY.format(**load_settings().as_slots())


def failure_reply() -> str:
    return FAILURE_REPLY.format(**load_settings().as_slots())


def counted(method: str):
    """The real channel's `method`, counted."""

    async def send(self: CountingOutputChannel, *args: Any, **kwargs: Any) -> None:
        self.sent += 1
        await getattr(self.output, method)(*args, **kwargs)

    return send


class CountingOutputChannel(OutputChannel):
    """A channel's own output, counting what the bot sends: after nothing, an apology is due."""

    def __init__(self, output: OutputChannel) -> None:
        self.output = output
        self.sent = 0

    def name(self) -> Text:  # channel-specific responses are chosen by the real channel's name
        return self.output.name()

    send_response = counted("send_response")
    send_text_message = counted("send_text_message")
    send_image_url = counted("send_image_url")
    send_attachment = counted("send_attachment")
    send_text_with_buttons = counted("send_text_with_buttons")
    send_quick_replies = counted("send_quick_replies")
    send_elements = counted("send_elements")
    send_custom_json = counted("send_custom_json")


async def tell(output: OutputChannel, recipient_id: str, text: str, channel: str) -> None:
    """One of the intake's own replies; a provider that cannot be reached is logged, not raised."""
    try:
        await output.send_text_message(recipient_id, text)
    except Exception as error:  # noqa: BLE001 - the provider's API is down: nothing more to do
        logger.warning("%s: a reply could not be sent (%s).", channel, type(error).__name__)


class Intake:
    """The steps every channel runs on a visitor's message, with one channel's rate limits."""

    def __init__(self, limits: ChannelLimits) -> None:
        self.limits = limits

    @classmethod
    def from_environ(cls) -> Intake:
        # Shared by all replicas through Redis in production; per process with `make run`.
        return cls(ChannelLimits.from_environ())

    def ip_wait(self, peer: str, real_ip: Optional[str], channel: str) -> float:
        """Counts a request from this client address; seconds to wait, 0.0 when allowed."""
        wait = self.limits.ip_wait(peer, real_ip)
        if wait:
            logger.info("rate limit: ip (%s)", channel)
        return wait

    def sender_wait(self, sender: str, channel: str) -> float:
        """Counts a message from this sender; seconds to wait, 0.0 when allowed."""
        wait = self.limits.sender_wait(sender)
        if wait:
            logger.info("rate limit: sender (%s)", channel)
        return wait

    async def answer(
        self,
        incoming: IncomingMessage,
        output: OutputChannel,
        on_new_message: OnNewMessage,
        channel: str,
        message_id: Optional[str] = None,
    ) -> None:
        """The bot's answer to one accepted message, sent through `output`."""
        if not incoming.text.strip():
            await tell(output, incoming.sender, EMPTY_MESSAGE_REPLY, channel)
            return
        if incoming.truncated:
            logger.info(
                "%s: a message of %d characters was cut to %d for the classifiers.",
                channel,
                len(incoming.full_text),
                len(incoming.text),
            )
        counted = CountingOutputChannel(output)
        try:
            await on_new_message(
                UserMessage(
                    incoming.text,
                    counted,
                    incoming.sender,
                    input_channel=channel,
                    message_id=message_id,
                    metadata=message_metadata(incoming),
                )
            )
        except (CancelledError, Exception):  # noqa: BLE001 - a user must never get silence
            logger.exception("Handling a message failed (%s).", channel)
        if not counted.sent:
            await tell(output, incoming.sender, failure_reply(), channel)
        if incoming.truncated:
            await tell(output, incoming.sender, LONG_MESSAGE_NOTE, channel)

    def guard(self, on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
        """`on_new_message` behind the intake, for a connector that builds the UserMessage."""

        async def through_the_intake(message: UserMessage) -> None:
            output, sender = message.output_channel, message.sender_id
            over_ip_limit = self.ip_wait(*CLIENT_ADDRESS.get(), channel)
            problem = sender_problem(sender)
            if problem:
                logger.warning("%s: a message was dropped: its sender id %s.", channel, problem)
                return
            if over_ip_limit or self.sender_wait(sender, channel):
                await tell(output, sender, rate_limited_reply(), channel)
                return
            incoming = incoming_message(sender, message.text or "", message.metadata)
            await self.answer(incoming, output, on_new_message, channel, message.message_id)

        return through_the_intake
