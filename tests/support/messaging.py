"""The messaging channels as their providers call them: each provider's request format and
signature, and an assistant with all four channels on, its outbound calls going to a local
fake of the providers (tests/support/fake_providers.py). Used by tests/test_messaging_channels.py
and tests/test_fuzz.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import uuid
from typing import Any, Dict, Tuple
from urllib.parse import urlencode

import pytest
import requests

from bot.measure.launcher import start_assistant
from tests.support.fake_providers import FakeProviders

SECRETS = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "twilio-test-token",
    "TWILIO_NUMBER": "+15550000000",
    "TELEGRAM_ACCESS_TOKEN": "123456:TEST-telegram-token",
    "TELEGRAM_BOT_NAME": "cryo_bot",
    "TELEGRAM_WEBHOOK_URL": "https://clinic.example/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "telegram-secret",
    "FACEBOOK_VERIFY_TOKEN": "fb-verify",
    "FACEBOOK_APP_SECRET": "fb-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page-token",
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "slack-secret",
}
WEBHOOKS = {
    name: f"/webhooks/{name}/webhook" for name in ("twilio", "telegram", "facebook", "slack")
}
# What each provider expects from the webhook, whatever the assistant answers the visitor.
PROVIDER_STATUS = {"twilio": 204, "telegram": 200, "facebook": 200, "slack": 200}
TELEGRAM_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["TELEGRAM_SECRET_TOKEN"]}


def channel_fixtures(env: Dict[str, str]):
    """A module's `providers` (the fake) and `channels` (the assistant with every messaging
    channel on, started with `env`) fixtures: `providers, channels = channel_fixtures({...})`."""

    @pytest.fixture(scope="module")
    def providers():
        fake = FakeProviders()
        yield fake
        fake.stop()

    @pytest.fixture(scope="module")
    def channels(tmp_path_factory, providers):
        running = start_assistant(
            tmp_path_factory.mktemp("channels"),
            env={**SECRETS, "FAKE_PROVIDER_URL": providers.url, **env},
            rasa_entry=[sys.executable, "-m", "tests.support.rasa_with_fake_providers"],
        )
        yield running
        running.stop()

    return providers, channels


def twilio_form(url: str, params: Dict[str, str]) -> Tuple[bytes, Dict[str, str]]:
    """A Twilio webhook body and its X-Twilio-Signature (over the URL and the parameters)."""
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    return urlencode(params).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }


def signed_headers(
    channel: str, body: bytes, content_type: str = "application/json"
) -> Dict[str, str]:
    """Telegram's secret token, Messenger's X-Hub-Signature or Slack's signature for a body."""
    if channel == "telegram":
        return {"Content-Type": content_type, **TELEGRAM_HEADERS}
    if channel == "facebook":
        signature = "sha1=" + hmac.new(b"fb-secret", body, hashlib.sha1).hexdigest()
        return {"Content-Type": content_type, "X-Hub-Signature": signature}
    timestamp = str(int(time.time()))
    digest = hmac.new(b"slack-secret", f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def telegram_update(text: Any, chat_id: Any = 777) -> Dict[str, Any]:
    return {
        "update_id": int(time.time()),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ann"},
        },
    }


def messenger_event(text: Any, sender: Any = "fb-user-1") -> Dict[str, Any]:
    return {
        "object": "page",
        "entry": [
            {
                "id": "p1",
                "time": 0,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": "p1"},
                        "timestamp": 0,
                        "message": {"mid": f"m-{uuid.uuid4().hex}", "text": text},
                    }
                ],
            }
        ],
    }


def slack_event(text: Any, user: Any = "U1", channel: Any = "D1") -> Dict[str, Any]:
    return {
        "token": "t",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:8]}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        },
    }


def as_json(event: Any) -> bytes:
    return json.dumps(event).encode()


def slack_channel_of(user: str) -> str:
    """The direct-message channel the tests give a Slack user (replies are posted there)."""
    return "D" + user[1:]


def reply_mark(channel: str, sender: str) -> str:
    """What is in every call to the provider that answers `sender`."""
    return {
        "twilio": f"To={sender}",
        "telegram": f"chat_id={sender}",
        "facebook": sender,
        "slack": slack_channel_of(sender),  # Slack answers in the conversation's channel
    }[channel]


def message_request(channel: str, url: str, sender: str, text: str) -> Tuple[bytes, Dict]:
    """A visitor's message as `channel`'s provider sends it to `url`, signed."""
    if channel == "twilio":
        return twilio_form(url, {"From": sender, "Body": text})
    event = {
        "telegram": lambda: telegram_update(text, int(sender)),
        "facebook": lambda: messenger_event(text, sender),
        "slack": lambda: slack_event(text, sender, slack_channel_of(sender)),
    }[channel]()
    body = as_json(event)
    return body, signed_headers(channel, body)


def post(base_url: str, channel: str, body: bytes, headers: Dict[str, str], timeout: Any = 60):
    return requests.post(
        f"{base_url}{WEBHOOKS[channel]}", data=body, headers=headers, timeout=timeout
    )
