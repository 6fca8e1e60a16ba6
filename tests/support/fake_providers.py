"""A local stand-in for the messaging providers' APIs (Twilio, Telegram, Messenger, Slack).

It records every call the assistant makes and answers as the provider would, so the
channel tests need no internet. tests/support/rasa_with_fake_providers.py points the
providers' client libraries at it, inside the Rasa server process.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List
from urllib.parse import unquote_plus


class FakeProviders:
    def __init__(self) -> None:
        self.calls: List[Dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()

    def texts_sent(self, provider: str) -> List[str]:
        with self._lock:
            return [c["body"] for c in self.calls if c["path"].startswith(f"/{provider}/")]

    def wait_for(self, provider: str, phrase: str, timeout: float = 30.0, also: str = "") -> str:
        """The first call to `provider` whose body contains `phrase` (and `also`, if given)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in self.texts_sent(provider):
                if phrase in body and also in body:
                    return body
            time.sleep(0.2)
        raise AssertionError(
            f"{provider} was never asked to send {phrase!r}: {self.texts_sent(provider)}"
        )

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with fake._lock:
                    fake.calls.append({"path": self.path, "body": unquote_plus(raw)})
                status, body = reply_for(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def reply_for(path: str):
    if path.startswith("/twilio/"):
        return 201, {"sid": "SM0001", "account_sid": "AC0001", "status": "queued", "body": ""}
    if path.startswith("/telegram/") and path.endswith("/setWebhook"):
        return 200, {"ok": True, "result": True}
    if path.startswith("/telegram/") and path.endswith("/getMe"):
        return 200, {
            "ok": True,
            "result": {"id": 42, "is_bot": True, "first_name": "Cryo", "username": "cryo_bot"},
        }
    if path.startswith("/telegram/"):
        return 200, {
            "ok": True,
            "result": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 777, "type": "private"},
                "text": "ok",
            },
        }
    if path.startswith("/facebook/"):
        return 200, {"recipient_id": "u1", "message_id": "mid.1"}
    if path.startswith("/slack/"):
        return 200, {"ok": True, "channel": "D1", "ts": "1.1"}
    return 404, {"error": "unknown provider"}
