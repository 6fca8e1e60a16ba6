"""The REST channel, with the validation a public endpoint needs.

Same address and format as Rasa's REST channel (POST /webhooks/rest/webhook,
{"sender": ..., "message": ...} answered by a JSON list of messages), but a
malformed request gets a 400 with a JSON error instead of a 500 or silence, and
a client sending too fast gets a 429 with a friendly message (bot/channels/rate_limit.py).
"""

from __future__ import annotations

import json
import logging
import math
from asyncio import CancelledError
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rate_limit import ChannelLimits
from bot.shared.metadata import FULL_TEXT
from bot.shared.settings import load_settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
MAX_BODY_BYTES = 64 * 1024

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


class BadRequest(ValueError):
    """A request the channel refuses, with the message the client sees."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


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


async def refuse_bad_framing(request: Request) -> None:
    """Sanic 21.12 answers a non-numeric Content-Length or an unknown Transfer-Encoding with a
    500, and spins forever on a negative Content-Length: refuse them before it reads a body."""
    lengths = request.headers.getall("content-length", [])
    codings = request.headers.getall("transfer-encoding", [])
    if any(not value.strip().isdigit() or not value.strip().isascii() for value in lengths) or (
        len(set(v.strip() for v in lengths)) > 1
    ):
        raise InvalidUsage("Bad Content-Length")
    if codings and [c.strip().lower() for c in codings] != ["chunked"]:
        raise InvalidUsage("Unsupported Transfer-Encoding")


def parse_request(body: bytes) -> IncomingMessage:
    """Validate a request body; raise BadRequest with a plain-words reason."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"Request body is larger than {MAX_BODY_BYTES} bytes.", status=413)
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("Request body is not valid UTF-8 text.")
    except json.JSONDecodeError:
        raise BadRequest(
            'Request body is not valid JSON. Send {"sender": "...", "message": "..."}.'
        )
    except (ValueError, RecursionError):  # a number over 4300 digits, or nesting too deep
        raise BadRequest("Request body has a number too long or nesting too deep.")
    if not isinstance(payload, dict):
        raise BadRequest('Request body must be a JSON object: {"sender": "...", "message": "..."}.')

    sender = payload.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('"sender" is required and must be a non-empty string.')
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters.')
    if not encodable(sender):
        # A lone surrogate ("\ud800") cannot be stored: Rasa's SQL store exits the server.
        raise BadRequest('"sender" must be valid Unicode text.')

    if "message" not in payload:
        raise BadRequest('"message" is required.')
    text = payload["message"]
    if not isinstance(text, str):
        raise BadRequest('"message" must be a string.')

    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object when given.')

    if not encodable(text):
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
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


def error_response(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def rate_limited_reply() -> str:
    return RATE_LIMITED_REPLY.format(**load_settings().as_slots())


def rate_limited_response(recipient_id: Optional[str], wait: float) -> HTTPResponse:
    """A 429 in the channel's usual reply shape, so chat clients show it like an answer."""
    return response.json(
        [{"recipient_id": recipient_id, "text": rate_limited_reply()}],
        status=429,
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


class ValidatedRestInput(RestInput):
    """Rasa's REST channel behind request validation (registered in credentials.yml)."""

    def __init__(self, limits: Optional[ChannelLimits] = None) -> None:
        # Shared by all replicas through Redis in production; per process with `make run`.
        self.limits = limits if limits is not None else ChannelLimits.from_environ()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def handle(
        self,
        incoming: IncomingMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> List[Dict[str, Any]]:
        """The bot's replies to one validated message, as the REST channel returns them."""
        if not incoming.text.strip():
            return [{"recipient_id": incoming.sender, "text": EMPTY_MESSAGE_REPLY}]
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    incoming.text,
                    collector,
                    incoming.sender,
                    input_channel=self.name(),
                    metadata=message_metadata(incoming),
                )
            )
        except (CancelledError, Exception):  # noqa: BLE001 - a user must never get silence
            logger.exception("Handling a message failed.")
        messages = list(collector.messages)
        if not messages:
            text = FAILURE_REPLY.format(**load_settings().as_slots())
            messages = [{"recipient_id": incoming.sender, "text": text}]
        if incoming.truncated:
            messages.append({"recipient_id": incoming.sender, "text": LONG_MESSAGE_NOTE})
        return messages

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        webhook.signal("http.lifecycle.request")(refuse_bad_framing)

        @webhook.listener("before_server_start")
        async def refuse_bad_targets(app, loop) -> None:
            # Sanic 21.12 answers an empty or unparsable request target with a 500.
            from httptools.parser.errors import HttpParserInvalidURLError

            app.error_handler.add(
                HttpParserInvalidURLError,
                lambda request, exception: error_response(
                    "The request target is not a valid URL.", 400
                ),
            )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            # The IP limit comes before parsing, so a flood is refused cheaply.
            wait = self.limits.ip_wait(request.ip, request.headers.get("X-Real-IP"))
            if wait:
                logger.info("rate limit: ip")  # never the sender id or the text (health data)
                return rate_limited_response(None, wait)
            try:
                incoming = parse_request(request.body or b"")
            except BadRequest as error:
                return error_response(str(error), error.status)
            wait = self.limits.sender_wait(incoming.sender)
            if wait:
                logger.info("rate limit: sender")
                return rate_limited_response(incoming.sender, wait)
            return response.json(await self.handle(incoming, on_new_message))

        return webhook
