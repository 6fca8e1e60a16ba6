"""Twilio, Telegram, Messenger and Slack, each in its provider's own inbound format and
signature, against the running assistant; outbound calls go to a local fake of the providers,
so what a visitor sees in their app is what the fake was asked to send."""

import time
import uuid
from dataclasses import dataclass

import pytest
import requests

from bot.channels.intake import rate_limited_reply
from bot.shared.conditions import condition_keys
from tests.support.messaging import (
    PROVIDER_STATUS,
    as_json,
    channel_fixtures,
    message_request,
    messenger_event,
    post,
    reply_mark,
    signed_headers,
    slack_event,
    telegram_update,
    twilio_form,
)

pytestmark = pytest.mark.server

CHANNELS = list(PROVIDER_STATUS)
# Small enough to reach in a test, above the longest conversation here (the whole checklist).
PER_SENDER_LIMIT = 20
CLINIC_PHONE = "(555) 010-0199"  # the default clinic settings (bot/shared/settings.py)
APOLOGY = "something went wrong on my side"
LONG_NOTE = "Your message was quite long"
EMERGENCY = "call 911 now or go to the nearest emergency room"  # utter_emergency, for the visitor


providers, channels = channel_fixtures(
    {
        "RATE_LIMIT_PER_SENDER": f"{PER_SENDER_LIMIT}/600",
        "RATE_LIMIT_PER_IP": "100000/60",  # every request here comes from one address
    }
)


def checklist_length() -> int:
    return len(condition_keys())


@dataclass
class Visitor:
    """Someone writing on one provider: their sender id, and what marks the calls to them."""

    channel: str
    sender: str

    @classmethod
    def new(cls, channel: str) -> "Visitor":
        if channel == "twilio":
            return cls(channel, f"+1555{uuid.uuid4().int % 10**7:07d}")
        if channel == "telegram":
            return cls(channel, str(10**9 + uuid.uuid4().int % 10**9))
        prefix = "fb-" if channel == "facebook" else "U"
        return cls(channel, f"{prefix}{uuid.uuid4().hex[:10]}")

    @property
    def mark(self) -> str:
        return reply_mark(self.channel, self.sender)

    def say(self, channels, text: str) -> requests.Response:
        url = f"{channels.url}/webhooks/{self.channel}/webhook"
        body, headers = message_request(self.channel, url, self.sender, text)
        response = post(channels.url, self.channel, body, headers)
        assert response.status_code == PROVIDER_STATUS[self.channel], response.text
        return response

    def sees(self, providers, phrase: str, timeout: float = 30.0) -> str:
        return providers.wait_for(self.channel, phrase, timeout=timeout, also=self.mark)

    def texts(self, providers):
        return [body for body in providers.texts_sent(self.channel) if self.mark in body]


# ---- what each channel does ---------------------------------------------------------------


def twilio_post(channels, params, signature=None):
    url = f"{channels.url}/webhooks/twilio/webhook"
    body, headers = twilio_form(url, params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return post(channels.url, "twilio", body, headers)


def test_twilio_sms_is_answered(channels, providers):
    sender = Visitor.new("twilio").sender
    response = twilio_post(channels, {"From": sender, "Body": "how long does a session take?"})
    assert response.status_code == 204
    body = providers.wait_for("twilio", "3 minutes")
    assert f"To={sender}" in body


def test_twilio_buttons_become_numbered_options_and_a_number_answers(channels, providers):
    total = checklist_length()
    sender = Visitor.new("twilio").sender
    twilio_post(channels, {"From": sender, "Body": "can I do cryotherapy?"})
    question = providers.wait_for("twilio", f"(1/{total})")
    assert "1) Yes\n2) No" in question and "/affirm" not in question
    twilio_post(channels, {"From": sender, "Body": "1"})
    providers.wait_for("twilio", f"(2/{total})")
    assert channels.tracker(sender)["slots"]["respiratory_illness"] is True


def twilio_checklist(channels, providers, answers):
    """The whole checklist over SMS, answering by number; the tracker's slots at the end."""
    total = checklist_length()
    sender = Visitor.new("twilio").sender
    twilio_post(channels, {"From": sender, "Body": "can I do cryotherapy?"})
    providers.wait_for("twilio", f"(1/{total})", also=f"To={sender}")
    for number, answer in enumerate(answers, 1):
        twilio_post(channels, {"From": sender, "Body": answer})
        after = f"({number + 1}/{total})" if number < total else "to your doctor:"
        providers.wait_for("twilio", after, also=f"To={sender}")
    return channels.tracker(sender)["slots"]


def test_twilio_all_twos_are_all_noes_and_a_clear_result(channels, providers):
    slots = twilio_checklist(channels, providers, ["2"] * checklist_length())
    assert (slots["screening_result"], slots["flagged_conditions"]) == ("clear", [])
    assert slots["under_18"] is False  # "2" is the No button, never an age of two


def test_twilio_a_one_flags_that_item_only(channels, providers):
    answers = ["2"] * checklist_length()
    answers[condition_keys().index("anemia")] = "1"
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


def telegram_post(channels, update, secret="telegram-secret"):
    headers = {**signed_headers("telegram", b""), "X-Telegram-Bot-Api-Secret-Token": secret}
    return post(channels.url, "telegram", as_json(update), headers)


def test_telegram_is_answered(channels, providers):
    response = telegram_post(channels, telegram_update("what are the side effects?"))
    assert response.status_code == 200
    assert "chat_id=777" in providers.wait_for("telegram", "tingling")


def test_telegram_webhook_is_registered_with_the_secret_token(channels, providers):
    response = requests.get(f"{channels.url}/webhooks/telegram/set_webhook", timeout=30)
    assert response.text == "Webhook setup successful"
    body = providers.wait_for("telegram", "secret_token=telegram-secret")
    assert "url=https://clinic.example/webhooks/telegram/webhook" in body


def test_telegram_refuses_a_request_without_the_secret(channels, providers):
    response = telegram_post(channels, telegram_update("hi"), secret="wrong")
    assert response.status_code == 403


def test_messenger_is_answered(channels, providers):
    body = as_json(messenger_event("is cryotherapy safe?"))
    response = post(channels.url, "facebook", body, signed_headers("facebook", body))
    assert response.status_code == 200
    assert "fb-user-1" in providers.wait_for("facebook", "safe when health professionals give it")


def test_messenger_refuses_a_bad_signature(channels, providers):
    body = as_json(messenger_event("hi"))
    headers = {**signed_headers("facebook", body), "X-Hub-Signature": "sha1=forged"}
    assert post(channels.url, "facebook", body, headers, timeout=30).text == "not validated"


def test_slack_is_answered(channels, providers):
    body = as_json(slack_event("how often should I go?"))
    assert post(channels.url, "slack", body, signed_headers("slack", body)).status_code == 200
    providers.wait_for("slack", "every three weeks")


def test_slack_refuses_a_bad_signature(channels, providers):
    body = as_json(slack_event("hi"))
    headers = {**signed_headers("slack", body), "X-Slack-Signature": "v0=forged"}
    assert post(channels.url, "slack", body, headers).status_code in (400, 401, 403)


def test_messaging_channels_are_off_without_their_variables(assistant):
    for path in ("twilio", "telegram", "facebook", "slack"):
        assert requests.get(f"{assistant.url}/webhooks/{path}/", timeout=10).status_code == 404


# ---- the intake every channel shares (bot/channels/intake.py) ------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_long_message_gets_the_note_and_a_red_flag_after_the_cut_is_still_heard(
    channels, providers, channel
):
    visitor = Visitor.new(channel)
    background = "I have had a stiff lower back for a few months and I wanted to ask about it. "
    message = background * 13 + "and now I have crushing chest pain"
    assert message.index("crushing") > 1000
    visitor.say(channels, message)
    emergency = visitor.sees(providers, EMERGENCY)
    note = visitor.sees(providers, LONG_NOTE)
    sent = visitor.texts(providers)
    assert sent.index(emergency) < sent.index(note)  # the answer first, then the note


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_sender_over_the_limit_gets_the_clinics_wording(channels, providers, channel):
    visitor = Visitor.new(channel)
    for _ in range(PER_SENDER_LIMIT):
        visitor.say(channels, "   ")  # empty: counted, answered with a prompt, never the bot
    visitor.sees(providers, "your message was empty")
    visitor.say(channels, "how long does a session take?")
    visitor.sees(providers, rate_limited_reply())
    time.sleep(1)
    assert not any("3 minutes" in body for body in visitor.texts(providers))
    someone_else = Visitor.new(channel)
    someone_else.say(channels, "how long does a session take?")
    someone_else.sees(providers, "3 minutes")


@pytest.mark.parametrize("channel", CHANNELS)
def test_without_the_action_server_the_visitor_gets_the_apology_with_the_clinics_phone(
    channels, providers, channel
):
    visitor = Visitor.new(channel)
    visitor.say(channels, "hi")
    visitor.sees(providers, "not medical advice")
    with channels.actions_stopped():
        visitor.say(channels, "can I do cryotherapy?")
        apology = visitor.sees(providers, APOLOGY)
    assert CLINIC_PHONE in apology and "911" in apology
