"""The server (bot.production.lean_rasa) with the providers' clients at a local fake.

Only the transport's address changes: requests, signatures and the libraries' own
code paths are the real ones. Used by tests/test_messaging_channels.py.
"""

import os
import sys


def patch_clients(fake: str) -> None:
    import requests
    from aiogram.bot.api import TelegramAPIServer
    from slack_sdk.web.async_client import AsyncWebClient

    hosts = {
        "https://api.twilio.com": f"{fake}/twilio",
        "https://graph.facebook.com": f"{fake}/facebook",
    }
    original_send = requests.Session.send

    def send(self, prepared, **kwargs):
        for real, local in hosts.items():
            if prepared.url.startswith(real):
                prepared.url = local + prepared.url[len(real) :]
        return original_send(self, prepared, **kwargs)

    requests.Session.send = send
    TelegramAPIServer.api_url = lambda self, token, method: f"{fake}/telegram/bot{token}/{method}"
    original_init = AsyncWebClient.__init__

    def slack_init(self, *args, **kwargs):
        kwargs["base_url"] = f"{fake}/slack/"
        original_init(self, *args, **kwargs)

    AsyncWebClient.__init__ = slack_init


if __name__ == "__main__":
    patch_clients(os.environ["FAKE_PROVIDER_URL"])
    from bot.production.lean_rasa import main

    main(sys.argv[1:])
