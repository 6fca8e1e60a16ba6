"""The REST channel, with the validation a public endpoint needs.

Same address and format as Rasa's REST channel (POST /webhooks/rest/webhook,
{"sender": ..., "message": ...} answered by a JSON list of messages), but a
malformed request gets a 400 with a JSON error instead of a 500 or silence, and
a client sending too fast gets a 429 with a friendly message. The message itself goes
through the intake every channel shares (bot/channels/intake.py); the replies are collected
and returned in the response.
"""

from __future__ import annotations

import json
import math
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.intake import (  # the wording stays importable from here too
    FAILURE_REPLY,  # noqa: F401
    RATE_LIMITED_REPLY,  # noqa: F401
    IncomingMessage,
    Intake,
    incoming_message,
    rate_limited_reply,
    sender_problem,
)
from bot.channels.rate_limit import ChannelLimits

MAX_BODY_BYTES = 64 * 1024


class BadRequest(ValueError):
    """A request the channel refuses, with the message the client sees."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


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
    problem = sender_problem(sender)
    if problem:
        raise BadRequest(f'"sender" {problem}.')

    if "message" not in payload:
        raise BadRequest('"message" is required.')
    text = payload["message"]
    if not isinstance(text, str):
        raise BadRequest('"message" must be a string.')

    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object when given.')

    return incoming_message(sender, text, metadata)


def error_response(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


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
        self.intake = Intake(limits) if limits is not None else Intake.from_environ()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def handle(
        self,
        incoming: IncomingMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> List[Dict[str, Any]]:
        """The bot's replies to one validated message, as the REST channel returns them."""
        collector = CollectingOutputChannel()
        await self.intake.answer(incoming, collector, on_new_message, self.name())
        return collector.messages

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
            wait = self.intake.ip_wait(request.ip, request.headers.get("X-Real-IP"), self.name())
            if wait:
                return rate_limited_response(None, wait)
            try:
                incoming = parse_request(request.body or b"")
            except BadRequest as error:
                return error_response(str(error), error.status)
            wait = self.intake.sender_wait(incoming.sender, self.name())
            if wait:
                return rate_limited_response(incoming.sender, wait)
            return response.json(await self.handle(incoming, on_new_message))

        return webhook
