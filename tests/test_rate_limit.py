"""Rate limits: the limiter with a fake clock, then the REST and widget channels and a messaging
channel in a Sanic app driven over ASGI (no trained model, no network). The messaging channels
with their providers: tests/test_messaging_channels.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import register
from rasa.core.channels.facebook import MessengerBot
from sanic import Sanic

from bot.channels.intake import rate_limited_reply
from bot.channels.messenger import MessengerInput
from bot.channels.rate_limit import (
    ChannelLimits,
    Rate,
    RateLimitConfigError,
    RateLimiter,
    client_ip,
    parse_rate,
    parse_trusted_proxies,
)
from bot.channels.rest import ValidatedRestInput
from bot.channels.slack import SlackAppInput
from bot.channels.telegram import SecretTelegramInput
from bot.channels.twilio import SignedTwilioInput
from bot.channels.widget import WidgetInput
from tests.support.messaging import as_json, messenger_event, signed_headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# ---- the limiter --------------------------------------------------------------------------


def test_allows_the_limit_then_refuses_with_the_wait(clock):
    limiter = RateLimiter(Rate(3, 60), clock)
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("a") == pytest.approx(20.0)  # one request back every 60/3 s


def test_recovers_after_the_window(clock):
    limiter = RateLimiter(Rate(3, 60), clock)
    for _ in range(4):
        limiter.hit("a")
    clock.advance(20)
    assert limiter.hit("a") == 0.0 and limiter.hit("a") > 0
    clock.advance(60)
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("a") > 0


def test_keys_are_independent(clock):
    limiter = RateLimiter(Rate(1, 60), clock)
    assert limiter.hit("a") == 0.0 and limiter.hit("a") > 0
    assert limiter.hit("b") == 0.0


def test_the_number_of_tracked_keys_is_bounded(clock):
    limiter = RateLimiter(Rate(1, 60), clock, max_keys=3)
    for number in range(10):
        limiter.hit(f"key-{number}")
    assert len(limiter) == 3
    assert limiter.hit("key-9") > 0  # the most recent keys are kept
    assert limiter.hit("key-0") == 0.0  # the oldest was dropped and starts afresh


def test_idle_keys_are_forgotten(clock):
    limiter = RateLimiter(Rate(1, 60), clock)
    limiter.hit("a")
    limiter.hit("b")
    clock.advance(60)
    limiter.hit("c")
    assert len(limiter) == 1


@pytest.mark.parametrize(
    "raw, rate",
    [("30/60", Rate(30, 60)), (" 5/1 ", Rate(5, 1)), ("0", None), ("off", None), ("OFF", None)],
)
def test_limits_are_read_as_n_per_seconds_or_off(raw, rate):
    assert parse_rate("RATE_LIMIT_PER_SENDER", raw) == rate


@pytest.mark.parametrize(
    "raw",
    [
        "30",
        "30/",
        "/60",
        "lots",
        "30/0",
        "0/60",
        "-1/60",
        "1.5/60",
        "30/60/1",
        "30 per minute",
        "٣/60",
    ],
)
def test_a_malformed_limit_names_the_variable_and_the_format(raw):
    with pytest.raises(RateLimitConfigError, match=r"RATE_LIMIT_PER_IP=.*N/SECONDS.*off"):
        parse_rate("RATE_LIMIT_PER_IP", raw)


def test_a_malformed_trusted_proxy_names_the_variable():
    with pytest.raises(RateLimitConfigError, match="TRUSTED_PROXIES"):
        parse_trusted_proxies("127.0.0.1,nginx")


def test_defaults_when_the_environment_is_silent():
    limits = ChannelLimits.from_environ({"RATE_LIMIT_PER_IP": " "})
    assert limits.per_sender.rate == Rate(30, 60) and limits.per_ip.rate == Rate(300, 60)
    assert limits.trusted_proxies == parse_trusted_proxies("127.0.0.1,::1")


def test_the_environment_sets_or_turns_off_each_limit():
    limits = ChannelLimits.from_environ(
        {
            "RATE_LIMIT_PER_SENDER": "off",
            "RATE_LIMIT_PER_IP": "10/1",
            "TRUSTED_PROXIES": "10.0.0.0/8",
        }
    )
    assert limits.per_sender is None and limits.per_ip.rate == Rate(10, 1)
    assert limits.sender_wait("anyone") == 0.0


PROXIES = parse_trusted_proxies("127.0.0.1,::1,10.0.0.0/8")


@pytest.mark.parametrize(
    "peer, real_ip, expected",
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client cannot choose its address
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("::1", "2001:db8::1", "2001:db8::1"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1, 10.0.0.1", "127.0.0.1"),  # malformed: the proxy's own limit
        ("", None, "unknown"),
    ],
)
def test_the_client_address_is_taken_from_x_real_ip_only_behind_our_proxy(peer, real_ip, expected):
    assert client_ip(peer, real_ip, PROXIES) == expected


# ---- the channels in a Sanic app ----------------------------------------------------------


class FakeAgent:
    """Stands in for Rasa's agent: records what reached the bot (and its tracker) and answers."""

    def __init__(self) -> None:
        self.received: List[Tuple[str, str]] = []

    async def handle_message(self, message) -> None:
        self.received.append((message.sender_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, "answer")


class App:
    """A Sanic app with the channels registered as `rasa run` does, called over ASGI."""

    def __init__(self, *channels: ValidatedRestInput) -> None:
        self.sanic = Sanic(f"rate-limit-{uuid.uuid4().hex[:8]}")
        self.agent = FakeAgent()
        self.sanic.ctx.agent = self.agent
        register(list(channels), self.sanic, route="/webhooks/")
        self._lifespan: Optional[asyncio.Task] = None

    async def start(self) -> None:
        started = asyncio.Event()
        messages = [{"type": "lifespan.startup"}]

        async def receive() -> Dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # until stop() cancels the lifespan

        async def send(message: Dict[str, Any]) -> None:
            started.set()

        self._lifespan = asyncio.create_task(self.sanic({"type": "lifespan"}, receive, send))
        await asyncio.wait_for(started.wait(), timeout=10)

    async def stop(self) -> None:
        # No shutdown message: Sanic 21.12 then treats the lifespan scope as a request.
        self._lifespan.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._lifespan

    async def post(
        self,
        sender: Optional[str] = "a",
        message: str = "hi",
        *,
        raw: bytes = b"",
        peer: str = "203.0.113.5",
        headers: Optional[Dict[str, str]] = None,
        channel: str = "rest",
    ) -> Tuple[int, Dict[str, str], Any]:
        body = raw or json.dumps({"sender": sender, "message": message}).encode()
        header_list = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        header_list += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        path = f"/webhooks/{channel}/webhook"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": header_list,
            "client": (peer, 40000),
            "server": ("testserver", 80),
        }
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        sent: List[Dict[str, Any]] = []

        async def receive() -> Dict[str, Any]:
            return incoming.pop() if incoming else {"type": "http.disconnect"}

        async def send(message: Dict[str, Any]) -> None:
            sent.append(message)

        await self.sanic(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        is_json = response_headers.get("content-type", "").startswith("application/json")
        return start["status"], response_headers, json.loads(content) if is_json else content


def limits(
    clock: FakeClock, per_sender: str = "off", per_ip: str = "off", proxies: str = ""
) -> ChannelLimits:
    return ChannelLimits.from_environ(
        {
            "RATE_LIMIT_PER_SENDER": per_sender,
            "RATE_LIMIT_PER_IP": per_ip,
            "TRUSTED_PROXIES": proxies,
        },
        clock,
    )


@pytest.fixture
async def serve(monkeypatch):
    # Sanic's own test mode, as sanic-testing uses it: several apps in one process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    apps: List[App] = []

    async def start(*channels: ValidatedRestInput) -> App:
        app = App(*channels)
        await app.start()
        apps.append(app)
        return app

    yield start
    for app in apps:
        await app.stop()


async def test_a_sender_over_the_limit_gets_a_friendly_429_and_others_are_still_answered(
    serve, clock
):
    app = await serve(ValidatedRestInput(limits(clock, per_sender="2/60")))
    for _ in range(2):
        assert (await app.post("visitor-1"))[0] == 200
    status, headers, body = await app.post("visitor-1", "my back hurts")
    assert status == 429 and headers["retry-after"] == "30"
    assert body == [{"recipient_id": "visitor-1", "text": rate_limited_reply()}]
    status, _, body = await app.post("visitor-2")
    assert status == 200 and body == [{"recipient_id": "visitor-2", "text": "answer"}]
    assert [sender for sender, _ in app.agent.received] == ["visitor-1", "visitor-1", "visitor-2"]
    clock.advance(30)
    assert (await app.post("visitor-1"))[0] == 200


async def test_the_ip_limit_applies_across_senders_before_the_body_is_read(serve, clock):
    app = await serve(ValidatedRestInput(limits(clock, per_ip="2/60")))
    assert (await app.post("a"))[0] == 200
    assert (await app.post("b"))[0] == 200
    status, headers, body = await app.post("c")
    assert status == 429 and headers["retry-after"] == "30"
    assert body == [{"recipient_id": None, "text": rate_limited_reply()}]
    assert (await app.post(raw=b"{not json"))[0] == 429  # refused before parsing
    assert (await app.post("c", peer="198.51.100.7"))[0] == 200
    assert len(app.agent.received) == 3


async def test_x_real_ip_counts_only_from_a_trusted_proxy(serve, clock):
    app = await serve(ValidatedRestInput(limits(clock, per_ip="1/60", proxies="127.0.0.1")))
    behind_proxy = dict(peer="127.0.0.1")
    assert (await app.post("a", headers={"X-Real-IP": "203.0.113.1"}, **behind_proxy))[0] == 200
    assert (await app.post("b", headers={"X-Real-IP": "203.0.113.2"}, **behind_proxy))[0] == 200
    again = {"X-Real-IP": "203.0.113.1", "X-Forwarded-For": "192.0.2.99"}
    assert (await app.post("c", headers=again, **behind_proxy))[0] == 429

    direct = dict(peer="198.51.100.9")
    assert (await app.post("d", headers={"X-Real-IP": "192.0.2.1"}, **direct))[0] == 200
    assert (await app.post("e", headers={"X-Real-IP": "192.0.2.2"}, **direct))[0] == 429
    assert (await app.post("f", headers={"X-Forwarded-For": "192.0.2.3"}, **direct))[0] == 429


async def test_the_channels_read_their_limits_from_the_environment(serve, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "1/60")
    monkeypatch.setenv("RATE_LIMIT_PER_IP", "off")
    app = await serve(ValidatedRestInput.from_credentials(None), WidgetInput.from_credentials(None))
    for channel in ("rest", "widget"):
        assert (await app.post("visitor", channel=channel))[0] == 200
        status, _, body = await app.post("visitor", channel=channel)
        assert status == 429 and body[0]["text"] == rate_limited_reply()


@pytest.mark.parametrize("name", ["RATE_LIMIT_PER_SENDER", "RATE_LIMIT_PER_IP", "TRUSTED_PROXIES"])
def test_a_malformed_setting_stops_the_channel_from_starting(monkeypatch, name):
    monkeypatch.setenv(name, "many")
    with pytest.raises(RateLimitConfigError, match=name):
        ValidatedRestInput.from_credentials(None)


MESSAGING_CHANNELS = {
    "twilio": lambda: SignedTwilioInput("AC0", "token", "+15550000000"),
    "telegram": lambda: SecretTelegramInput("123456:TEST", "cryo_bot", "https://x.example/"),
    "messenger": lambda: MessengerInput("verify", "secret", "page-token"),
    "slack": lambda: SlackAppInput("xoxb-test", slack_signing_secret="secret"),
}


@pytest.mark.parametrize("channel", sorted(MESSAGING_CHANNELS))
def test_a_malformed_setting_stops_a_messaging_channel_from_starting(monkeypatch, channel):
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "many")
    with pytest.raises(RateLimitConfigError, match="RATE_LIMIT_PER_SENDER"):
        MESSAGING_CHANNELS[channel]().blueprint(FakeAgent().handle_message)


async def test_a_messaging_channel_counts_the_providers_address_and_tells_the_sender(
    serve, monkeypatch
):
    sent: List[Tuple[str, str]] = []

    async def deliver(self, recipient_id, text, **kwargs):
        sent.append((recipient_id, text))

    async def no_typing_indicator(self, recipient_id, sender_action):
        pass

    monkeypatch.setattr(MessengerBot, "send_text_message", deliver)
    monkeypatch.setattr(MessengerBot, "send_action", no_typing_indicator)
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "off")
    monkeypatch.setenv("RATE_LIMIT_PER_IP", "1/60")
    app = await serve(MessengerInput("verify", "fb-secret", "page-token"))
    for sender in ("fb-1", "fb-2"):
        body = as_json(messenger_event("hi", sender))
        status, _, answer = await app.post(
            raw=body, headers=signed_headers("facebook", body), channel="facebook"
        )
        assert (status, answer) == (200, b"success")  # what Messenger expects, limit or not
    assert sent == [("fb-1", "answer"), ("fb-2", rate_limited_reply())]
    assert [sender for sender, _ in app.agent.received] == ["fb-1"]


async def test_a_rejection_is_logged_without_the_sender_or_the_text(serve, clock, caplog):
    app = await serve(ValidatedRestInput(limits(clock, per_sender="1/60")))
    await app.post("visitor-secret", "I have a pacemaker")
    with caplog.at_level(logging.INFO, logger="bot.channels.intake"):
        await app.post("visitor-secret", "I have a pacemaker")
    assert "rate limit: sender" in caplog.text
    assert "visitor-secret" not in caplog.text and "pacemaker" not in caplog.text


async def test_validation_is_unchanged_under_the_limits(serve, clock):
    app = await serve(ValidatedRestInput(limits(clock, per_sender="5/60", per_ip="5/60")))
    status, _, body = await app.post(raw=b"[1, 2]")
    assert status == 400 and "must be a JSON object" in body["error"]
    status, _, body = await app.post("a", "x" * 70_000)
    assert status == 413


class UnreachableRedis:
    def register_script(self, script):
        import redis

        def run(**kwargs):
            raise redis.ConnectionError("down")

        return run


def test_with_redis_down_the_shared_limiter_lets_messages_through_and_says_so(caplog):
    from bot.channels.rate_limit import RedisRateLimiter

    limiter = RedisRateLimiter(Rate(1, 60), UnreachableRedis(), "rate_limit:test:", clock=lambda: 0)
    with caplog.at_level("WARNING"):
        assert [limiter.hit("visitor") for _ in range(3)] == [0.0, 0.0, 0.0]
    warnings = [
        r.getMessage() for r in caplog.records if "Rate limits not counted" in r.getMessage()
    ]
    assert warnings == [
        "Rate limits not counted, messages let through: Redis cannot be reached "
        "(ConnectionError)."
    ]  # once, not once per message


def test_with_redis_configured_the_channels_count_in_redis():
    from bot.channels.rate_limit import RedisRateLimiter

    limits = ChannelLimits.from_environ({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "1"})
    assert isinstance(limits.per_sender, RedisRateLimiter)
    assert isinstance(limits.per_ip, RedisRateLimiter)
    assert isinstance(ChannelLimits.from_environ({}).per_sender, RateLimiter)
