"""The website chat widget: its files, a demo page, and its message endpoint.

Served under /webhooks/widget/ by the assistant's own server (no CDN). Messages
are validated like the REST channel's; answers are plain JSON over HTTP, so any
replica can serve any request. Cross-origin calls are allowed only from the
clinic's origins in WIDGET_ALLOWED_ORIGINS (comma-separated, never "*"), which
the server command passes to Rasa's own CORS support (`rasa run --cors`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import ValidatedRestInput
from bot.shared.settings import load_settings

WIDGET_FILES = Path(__file__).resolve().parent / "widget_files"
CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


EMERGENCY_NUMBER_MARK = '"__EMERGENCY_NUMBER__"'


@lru_cache(maxsize=None)
def widget_file(name: str) -> str:
    """A widget file as served; the script gets the clinic's emergency number written in."""
    text = (WIDGET_FILES / name).read_text(encoding="utf-8")
    if name == "widget.js":
        # For the offline message: when the server cannot be reached, it cannot be asked.
        text = text.replace(EMERGENCY_NUMBER_MARK, json.dumps(load_settings().emergency_number))
    return text


class WidgetInput(ValidatedRestInput):
    """Input channel for the embeddable widget (registered in credentials.yml)."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        # The REST channel's health check and validated /webhook, plus the widget's files.
        widget = super().blueprint(on_new_message)

        def static(name: str) -> HTTPResponse:
            return response.text(
                widget_file(name),
                content_type=CONTENT_TYPES[Path(name).suffix],
                headers={
                    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options": "nosniff",
                    "Cache-Control": "no-cache",
                },
            )

        @widget.route("/widget.js", methods=["GET"])
        async def script(request: Request) -> HTTPResponse:
            return static("widget.js")

        @widget.route("/widget.css", methods=["GET"])
        async def stylesheet(request: Request) -> HTTPResponse:
            return static("widget.css")

        @widget.route("/demo.css", methods=["GET"])
        async def demo_stylesheet(request: Request) -> HTTPResponse:
            return static("demo.css")

        @widget.route("/demo", methods=["GET"])
        async def demo(request: Request) -> HTTPResponse:
            return static("demo.html")

        @widget.route("/demo/<page:[a-z]+>", methods=["GET"])
        async def demo_subpage(request: Request, page: str) -> HTTPResponse:
            # Another page of the same site, to show the conversation follows the visitor.
            return static("demo.html")

        return widget
