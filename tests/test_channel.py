"""Request validation of the REST channel, without a server."""

import json

import pytest

from bot.channels.rest import (
    EMPTY_MESSAGE_REPLY,
    LONG_MESSAGE_NOTE,
    MAX_MESSAGE_CHARS,
    BadRequest,
    IncomingMessage,
    ValidatedRestInput,
    parse_request,
    shorten,
)


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
        self.received, self.reply, self.fail = [], reply, fail

    async def __call__(self, message):
        self.received.append(message.text)
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
