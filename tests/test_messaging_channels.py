"""Twilio, Telegram, Messenger and Slack, each in its provider's own inbound format and
signature, against the running assistant; outbound calls go to a local fake of the providers."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests

from tests.support.fake_providers import FakeProviders

pytestmark = pytest.mark.server

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


@pytest.fixture(scope="module")
def providers():
    fake = FakeProviders()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def channels(tmp_path_factory, providers):
    import sys

    from bot.measure.launcher import start_assistant

    running = start_assistant(
        tmp_path_factory.mktemp("channels"),
        env={**SECRETS, "FAKE_PROVIDER_URL": providers.url},
        rasa_entry=[sys.executable, "-m", "tests.support.rasa_with_fake_providers"],
    )
    yield running
    running.stop()


def twilio_post(channels, params, signature=None):
    from twilio.request_validator import RequestValidator

    url = f"{channels.url}/webhooks/twilio/webhook"
    if signature is None:
        signature = RequestValidator(SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)


def test_twilio_sms_is_answered(channels, providers):
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    response = twilio_post(channels, {"From": sender, "Body": "how long does a session take?"})
    assert response.status_code == 204
    body = providers.wait_for("twilio", "3 minutes")
    assert f"To={sender}" in body


def test_twilio_buttons_become_numbered_options_and_a_number_answers(channels, providers):
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    twilio_post(channels, {"From": sender, "Body": "can I do cryotherapy?"})
    question = providers.wait_for("twilio", "(1/15)")
    assert "1) Yes\n2) No" in question and "/affirm" not in question
    twilio_post(channels, {"From": sender, "Body": "1"})
    providers.wait_for("twilio", "(2/15)")
    assert channels.tracker(sender)["slots"]["respiratory_illness"] is True


def twilio_checklist(channels, providers, answers):
    """The whole checklist over SMS, answering by number; the tracker's slots at the end."""
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    twilio_post(channels, {"From": sender, "Body": "can I do cryotherapy?"})
    providers.wait_for("twilio", "(1/15)", also=f"To={sender}")
    for number, answer in enumerate(answers, 1):
        twilio_post(channels, {"From": sender, "Body": answer})
        after = f"({number + 1}/15)" if number < 15 else "to your doctor:"
        providers.wait_for("twilio", after, also=f"To={sender}")
    return channels.tracker(sender)["slots"]


def test_twilio_fifteen_twos_are_fifteen_noes_and_a_clear_result(channels, providers):
    slots = twilio_checklist(channels, providers, ["2"] * 15)
    assert (slots["screening_result"], slots["flagged_conditions"]) == ("clear", [])
    assert slots["under_18"] is False  # "2" is the No button, never an age of two


def test_twilio_a_one_flags_that_item_only(channels, providers):
    answers = ["2"] * 15
    answers[6] = "1"  # (7/15) anemia
    slots = twilio_checklist(channels, providers, answers)
    assert (slots["screening_result"], slots["flagged_conditions"]) == (
        "contraindicated",
        ["anemia"],
    )


def test_twilio_refuses_a_bad_signature(channels, providers):
    before = len(providers.calls)
    response = twilio_post(channels, {"From": "+15551112222", "Body": "hi"}, signature="forged")
    assert response.status_code == 403
    time.sleep(1)
    assert len(providers.calls) == before


def telegram_update(text, chat_id=777):
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


def test_telegram_is_answered(channels, providers):
    response = requests.post(
        f"{channels.url}/webhooks/telegram/webhook",
        json=telegram_update("what are the side effects?"),
        headers={"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"},
        timeout=60,
    )
    assert response.status_code == 200
    assert "chat_id=777" in providers.wait_for("telegram", "tingling")


def test_telegram_webhook_is_registered_with_the_secret_token(channels, providers):
    response = requests.get(f"{channels.url}/webhooks/telegram/set_webhook", timeout=30)
    assert response.text == "Webhook setup successful"
    body = providers.wait_for("telegram", "secret_token=telegram-secret")
    assert "url=https://clinic.example/webhooks/telegram/webhook" in body


def test_telegram_refuses_a_request_without_the_secret(channels, providers):
    response = requests.post(
        f"{channels.url}/webhooks/telegram/webhook",
        json=telegram_update("hi"),
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        timeout=30,
    )
    assert response.status_code == 403


def messenger_body(text):
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "p1",
                    "time": 0,
                    "messaging": [
                        {
                            "sender": {"id": "fb-user-1"},
                            "recipient": {"id": "p1"},
                            "timestamp": 0,
                            "message": {"mid": f"m-{uuid.uuid4().hex}", "text": text},
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_messenger_is_answered(channels, providers):
    body = messenger_body("is cryotherapy safe?")
    signature = "sha1=" + hmac.new(b"fb-secret", body, hashlib.sha1).hexdigest()
    response = requests.post(
        f"{channels.url}/webhooks/facebook/webhook",
        data=body,
        timeout=60,
        headers={"Content-Type": "application/json", "X-Hub-Signature": signature},
    )
    assert response.status_code == 200
    assert "fb-user-1" in providers.wait_for("facebook", "safe when health professionals give it")


def test_messenger_refuses_a_bad_signature(channels, providers):
    response = requests.post(
        f"{channels.url}/webhooks/facebook/webhook",
        data=messenger_body("hi"),
        timeout=30,
        headers={"Content-Type": "application/json", "X-Hub-Signature": "sha1=forged"},
    )
    assert response.text == "not validated"


def slack_post(channels, text, secret=b"slack-secret"):
    body = json.dumps(
        {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:8]}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": "D1",
                "channel_type": "im",
                "user": "U1",
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }
    ).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret, f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return requests.post(
        f"{channels.url}/webhooks/slack/webhook",
        data=body,
        timeout=60,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}",
        },
    )


def test_slack_is_answered(channels, providers):
    assert slack_post(channels, "how often should I go?").status_code == 200
    providers.wait_for("slack", "every three weeks")


def test_slack_refuses_a_bad_signature(channels, providers):
    assert slack_post(channels, "hi", secret=b"forged").status_code in (400, 401, 403)


def test_messaging_channels_are_off_without_their_variables(assistant):
    for path in ("twilio", "telegram", "facebook", "slack"):
        assert requests.get(f"{assistant.url}/webhooks/{path}/", timeout=10).status_code == 404
