"""Builds credentials.yml for `rasa run`: the web channels always, each messaging
channel only when all of its environment variables are set (no secrets in the repo).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

from bot.shared.project import project_file

WEB_CHANNELS_FILE = "credentials.yml"

# channel key in credentials.yml -> {credential: (environment variable, required)}. Each key is
# the project's subclass of Rasa's connector, so that its messages go through the intake.
MESSAGING_CHANNELS = {
    "bot.channels.twilio.SignedTwilioInput": {
        "account_sid": ("TWILIO_ACCOUNT_SID", True),
        "auth_token": ("TWILIO_AUTH_TOKEN", True),
        "twilio_number": ("TWILIO_NUMBER", True),
        "webhook_url": ("TWILIO_WEBHOOK_URL", False),
    },
    "bot.channels.telegram.SecretTelegramInput": {
        "access_token": ("TELEGRAM_ACCESS_TOKEN", True),
        "verify": ("TELEGRAM_BOT_NAME", True),
        "webhook_url": ("TELEGRAM_WEBHOOK_URL", True),
        "secret_token": ("TELEGRAM_SECRET_TOKEN", True),
    },
    "bot.channels.messenger.MessengerInput": {
        "verify": ("FACEBOOK_VERIFY_TOKEN", True),
        "secret": ("FACEBOOK_APP_SECRET", True),
        "page-access-token": ("FACEBOOK_PAGE_ACCESS_TOKEN", True),
    },
    "bot.channels.slack.SlackAppInput": {
        "slack_token": ("SLACK_BOT_TOKEN", True),
        "slack_signing_secret": ("SLACK_SIGNING_SECRET", True),
        "slack_channel": ("SLACK_CHANNEL", False),
    },
}


def build_credentials(
    environ: Optional[Mapping[str, str]] = None,
) -> Dict[str, Optional[Dict[str, str]]]:
    environ = os.environ if environ is None else environ
    credentials: Dict[str, Optional[Dict[str, str]]] = (
        yaml.safe_load(project_file(WEB_CHANNELS_FILE, environ).read_text(encoding="utf-8")) or {}
    )
    for channel, fields in MESSAGING_CHANNELS.items():
        values = {key: environ.get(var, "").strip() for key, (var, _) in fields.items()}
        required = [values[key] for key, (_, needed) in fields.items() if needed]
        if all(required):
            credentials[channel] = {key: value for key, value in values.items() if value}
        elif any(required):
            missing = [var for key, (var, needed) in fields.items() if needed and not values[key]]
            print(f"{channel} stays off: {', '.join(missing)} not set.", file=sys.stderr)
    return credentials


def write_credentials(target: Path, environ: Optional[Mapping[str, str]] = None) -> Path:
    # The file holds secrets when a messaging channel is on: readable by its owner only.
    target.touch(mode=0o600)
    target.chmod(0o600)
    target.write_text(yaml.safe_dump(build_credentials(environ), sort_keys=False), encoding="utf-8")
    return target
