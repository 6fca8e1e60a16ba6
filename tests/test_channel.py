"""Request validation of the REST channel and the intake every channel shares, without a server."""

import json

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.intake import (
    CLIENT_ADDRESS,
    EMPTY_MESSAGE_REPLY,
    LONG_MESSAGE_NOTE,
    MAX_MESSAGE_CHARS,
    IncomingMessage,
    Intake,
    failure_reply,
    rate_limited_reply,
    shorten,
)
from bot.channels.rate_limit import ChannelLimits
from bot.channels.rest import BadRequest, ValidatedRestInput, parse_request
from bot.shared.metadata import FULL_TEXT


def body(obj) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00bad", "not valid UTF-8"),
        (body(["hi"]), "must be a JSON object"),
        (body({"message": "hi"}), '"sender" is required'),
        (body({"sender": "", "message": "hi"}), '"sender" is required'),
        (body({"sender": {"id": 1}, "message": "hi"}), '"sender" is required'),
        (body({"sender": "x" * 200, "message": "hi"}), "at most 128"),
        (body({"sender": "a"}), '"message" is required'),
        (body({"sender": "a", "message": 12345}), '"message" must be a string'),
        (body({"sender": "a", "message": None}), '"message" must be a string'),
        (
            body({"sender": "a", "message": "hi", "metadata": "x"}),
            '"metadata" must be a JSON object',
        ),
    ],
)
def test_malformed_requests_are_refused_with_a_reason(raw, reason):
    with pytest.raises(BadRequest, match=reason) as error:
        parse_request(raw)
    assert error.value.status == 400


def test_an_oversized_body_is_refused_as_too_large():
    with pytest.raises(BadRequest) as error:
        parse_request(body({"sender": "a", "message": "x" * 70_000}))
    assert error.value.status == 413


def test_a_numeric_sender_is_accepted_as_text():
    assert parse_request(body({"sender": 42, "message": "hi"})).sender == "42"


def test_long_messages_are_cut_at_a_word_boundary():
    text = ("word " * 300).strip()
    short = shorten(text)
    assert len(short) <= MAX_MESSAGE_CHARS and short.endswith("word")
    incoming = parse_request(body({"sender": "a", "message": text}))
    assert incoming.truncated and incoming.text == short


class Recorder:
    def __init__(self, reply=None, fail=False):
        self.received, self.metadata, self.reply, self.fail = [], [], reply, fail

    async def __call__(self, message):
        self.received.append(message.text)
        self.metadata.append(message.metadata)
        if self.fail:
            raise RuntimeError("boom")
        if self.reply:
            await message.output_channel.send_text_message(message.sender_id, self.reply)


async def test_an_empty_message_gets_a_prompt_without_reaching_the_bot():
    recorder = Recorder()
    replies = await ValidatedRestInput().handle(IncomingMessage("a", "   ", None), recorder)
    assert replies == [{"recipient_id": "a", "text": EMPTY_MESSAGE_REPLY}]
    assert recorder.received == []


async def test_a_cut_message_is_answered_and_the_user_told():
    recorder = Recorder(reply="answer")
    replies = await ValidatedRestInput().handle(
        IncomingMessage("a", "question", None, truncated=True), recorder
    )
    assert [r["text"] for r in replies] == ["answer", LONG_MESSAGE_NOTE]


async def test_a_failure_inside_the_bot_gets_an_apology_not_silence():
    replies = await ValidatedRestInput().handle(
        IncomingMessage("a", "hi", None), Recorder(fail=True)
    )
    assert len(replies) == 1 and replies[0]["text"].startswith("Sorry, something went wrong")
    assert "(555) 010-0199" in replies[0]["text"]


# ---- the same intake behind a messaging connector (Intake.guard) ---------------------------


def guarded(recorder, per_sender="off", per_ip="off"):
    """What a connector calls instead of on_new_message, and the output its replies go to."""
    limits = ChannelLimits.from_environ(
        {"RATE_LIMIT_PER_SENDER": per_sender, "RATE_LIMIT_PER_IP": per_ip}
    )
    return Intake(limits).guard(recorder, "twilio"), CollectingOutputChannel()


def texts(output):
    return [m["text"] for m in output.messages]


async def test_a_connectors_long_message_is_cut_with_its_whole_text_kept_and_the_note_sent():
    recorder = Recorder(reply="answer")
    guard, output = guarded(recorder)
    text = "word " * 300 + "chest pain"
    await guard(UserMessage(text, output, "+15550001", input_channel="twilio"))
    assert recorder.received == [shorten(text.strip())]
    assert recorder.metadata == [{FULL_TEXT: text.strip()}]
    assert texts(output) == ["answer", LONG_MESSAGE_NOTE]


async def test_a_connectors_sender_over_a_limit_is_told_in_the_clinics_words():
    recorder = Recorder(reply="answer")
    guard, output = guarded(recorder, per_sender="1/60")
    for _ in range(2):
        await guard(UserMessage("hi", output, "+15550001", input_channel="twilio"))
    assert texts(output) == ["answer", rate_limited_reply()]
    assert recorder.received == ["hi"]


async def test_a_connectors_ip_over_its_limit_is_told_too():
    recorder = Recorder(reply="answer")
    guard, output = guarded(recorder, per_ip="1/60")
    CLIENT_ADDRESS.set(("203.0.113.7", None))
    for sender in ("+15550001", "+15550002"):
        await guard(UserMessage("hi", output, sender, input_channel="twilio"))
    assert texts(output) == ["answer", rate_limited_reply()]


@pytest.mark.parametrize("recorder", [Recorder(), Recorder(fail=True)], ids=["silent", "raises"])
async def test_a_connectors_bot_that_answers_nothing_gets_the_apology(recorder):
    guard, output = guarded(recorder)
    await guard(UserMessage("hi", output, "+15550001", input_channel="twilio"))
    assert texts(output) == [failure_reply()] and "(555) 010-0199" in failure_reply()


@pytest.mark.parametrize("sender", ["", "\ud800", "s" * 129])
async def test_a_connectors_message_from_an_unusable_sender_id_is_dropped(sender):
    recorder = Recorder(reply="answer")
    guard, output = guarded(recorder)
    await guard(UserMessage("hi", output, sender, input_channel="twilio"))
    assert recorder.received == [] and output.messages == []


async def test_a_connectors_empty_message_gets_the_prompt():
    recorder = Recorder(reply="answer")
    guard, output = guarded(recorder)
    await guard(UserMessage("   ", output, "+15550001", input_channel="twilio"))
    assert texts(output) == [EMPTY_MESSAGE_REPLY] and recorder.received == []
