"""Rate limits for the public chat endpoints: a token bucket per key.

A limit of N/SECONDS lets a key (a sender id or a client IP) send N requests at once,
then one more every SECONDS/N seconds. With REDIS_HOST set (production), the buckets live
in Redis, so all replicas count together (each hit is one atomic script, with expiry); if
Redis cannot be reached, the limiter lets messages through and says so in the log: a visitor
is never turned away because the counter is down. Otherwise (`make run`) they live in this
process. Settings come from the environment when a channel is created (see
ChannelLimits.from_environ); nothing happens at import.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Tuple, Union

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

DEFAULT_PER_SENDER = "30/60"
DEFAULT_PER_IP = "300/60"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
MAX_TRACKED_KEYS = 50_000  # at most about 20 MB per limiter, with 128-character sender ids
RATE_FORMAT = re.compile(r"([0-9]+)/([0-9]+)")


class RateLimitConfigError(ValueError):
    """A rate limit setting in the environment that cannot be read."""


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def parse_rate(name: str, raw: str) -> Optional[Rate]:
    """A limit written N/SECONDS, or None for "0" or "off" (no limit)."""
    value = raw.strip().lower()
    if value in ("0", "off"):
        return None
    match = RATE_FORMAT.fullmatch(value)
    if not match or int(match[1]) == 0 or int(match[2]) == 0:
        raise RateLimitConfigError(
            f"{name}={raw!r} is not valid: expected N/SECONDS with whole numbers above 0 "
            f"(e.g. 30/60 for 30 messages a minute), or 0 or off for no limit."
        )
    return Rate(int(match[1]), int(match[2]))


class RateLimiter:
    """At most `rate.requests` per `rate.seconds` for each key; amortised O(1) per request."""

    def __init__(
        self, rate: Rate, clock: Clock = time.monotonic, max_keys: int = MAX_TRACKED_KEYS
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._refill_per_second = rate.requests / rate.seconds
        # key -> (tokens left, when counted); least recently seen first.
        self._buckets: OrderedDict[str, Tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def hit(self, key: str) -> float:
        """Counts one request: 0.0 when it is allowed, else the seconds until it would be."""
        now = self._clock()
        self._forget_idle(now)
        tokens = self._tokens(key, now)
        allowed = tokens >= 1
        self._store(key, tokens - 1 if allowed else tokens, now)
        return 0.0 if allowed else (1 - tokens) / self._refill_per_second

    def _tokens(self, key: str, now: float) -> float:
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            return float(self.rate.requests)
        tokens, counted_at = bucket
        return min(float(self.rate.requests), tokens + (now - counted_at) * self._refill_per_second)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_keys:
            # Under a flood of new keys the least recently seen one starts afresh.
            self._buckets.popitem(last=False)

    def _forget_idle(self, now: float) -> None:
        # A key unseen for a whole window has a full bucket again: forgetting it changes nothing.
        while self._buckets:
            key, (_, counted_at) = next(iter(self._buckets.items()))
            if now - counted_at < self.rate.seconds:
                return
            del self._buckets[key]


# One token bucket, read and written in one step inside Redis; TIME is Redis's own clock, the
# same for every replica. Returns the seconds to wait (0 when the request is allowed).
TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_second)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / per_second end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / per_second) + 1)
return tostring(wait)
"""
FAIL_OPEN_LOG_EVERY_SECONDS = 60.0


class RedisRateLimiter:
    """The same limit as RateLimiter, counted in Redis for every replica at once."""

    def __init__(self, rate: Rate, client, prefix: str, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(TOKEN_BUCKET)
        self._clock = clock
        self._last_warning = float("-inf")

    def hit(self, key: str) -> float:
        import redis

        try:
            wait = self._script(
                keys=[self._prefix + key],
                args=[self.rate.requests, self.rate.requests / self.rate.seconds],
            )
            return float(wait)
        except redis.RedisError as error:
            if self._clock() - self._last_warning > FAIL_OPEN_LOG_EVERY_SECONDS:
                self._last_warning = self._clock()
                logger.warning(
                    "Rate limits not counted, messages let through: Redis cannot be "
                    "reached (%s).",
                    type(error).__name__,
                )
            return 0.0


Limiter = Union[RateLimiter, RedisRateLimiter]


def redis_client(environ: Mapping[str, str]):
    """A client for the Redis the replicas share (REDIS_HOST, _PORT, _DB, _PASSWORD)."""
    import redis

    return redis.Redis(
        host=environ["REDIS_HOST"],
        port=int(environ.get("REDIS_PORT") or 6379),
        db=int(environ.get("REDIS_DB") or 1),
        password=environ.get("REDIS_PASSWORD") or None,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
    )


def parse_trusted_proxies(raw: str) -> Tuple[Network, ...]:
    """Comma-separated addresses (or networks such as 10.0.0.0/8) of our own proxies."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError:
        raise RateLimitConfigError(
            f"TRUSTED_PROXIES={raw!r} is not valid: expected comma-separated IP addresses "
            f"(e.g. 127.0.0.1,::1)."
        ) from None


def ip_address(text: Optional[str]) -> Optional[Address]:
    """An address in canonical form (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(peer: str, real_ip: Optional[str], trusted_proxies: Tuple[Network, ...]) -> str:
    """The visitor's address: the TCP peer, or X-Real-IP when the peer is one of our proxies.

    X-Forwarded-For is never read: any client can write it. A missing or malformed X-Real-IP
    from a proxy counts as the proxy itself, so such requests share one (stricter) limit.
    """
    peer_address = ip_address(peer)
    if peer_address is None:
        return peer or "unknown"
    if any(peer_address in network for network in trusted_proxies):
        return str(ip_address(real_ip) or peer_address)
    return str(peer_address)


@dataclass
class ChannelLimits:
    """The limits of one channel in one server process; None turns a limit off."""

    per_sender: Optional[Limiter]
    per_ip: Optional[Limiter]
    trusted_proxies: Tuple[Network, ...]

    @classmethod
    def from_environ(
        cls, environ: Optional[Mapping[str, str]] = None, clock: Clock = time.monotonic
    ) -> "ChannelLimits":
        """RATE_LIMIT_PER_SENDER, RATE_LIMIT_PER_IP, TRUSTED_PROXIES; unset or empty: defaults.

        With REDIS_HOST set, the counts are shared by every replica through Redis."""
        environ = os.environ if environ is None else environ

        def setting(name: str, default: str) -> str:
            return environ.get(name, "").strip() or default

        shared = redis_client(environ) if environ.get("REDIS_HOST", "").strip() else None

        def limiter(name: str, default: str):
            rate = parse_rate(name, setting(name, default))
            if rate is None:
                return None
            if shared is not None:
                return RedisRateLimiter(rate, shared, f"rate_limit:{name.lower()}:", clock)
            return RateLimiter(rate, clock)

        return cls(
            per_sender=limiter("RATE_LIMIT_PER_SENDER", DEFAULT_PER_SENDER),
            per_ip=limiter("RATE_LIMIT_PER_IP", DEFAULT_PER_IP),
            trusted_proxies=parse_trusted_proxies(
                setting("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)
            ),
        )

    def ip_wait(self, peer: str, real_ip: Optional[str]) -> float:
        """Counts a request from this client address; seconds to wait, 0.0 when allowed."""
        if self.per_ip is None:
            return 0.0
        return self.per_ip.hit(client_ip(peer, real_ip, self.trusted_proxies))

    def sender_wait(self, sender: str) -> float:
        """Counts a message from this sender; seconds to wait, 0.0 when allowed."""
        return self.per_sender.hit(sender) if self.per_sender is not None else 0.0
