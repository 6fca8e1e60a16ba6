"""The lock that makes replicas take one conversation's messages one at a time.

Rasa 3.6's RedisLockStore keeps a conversation's tickets in one Redis value that each replica
reads, changes and writes back. Two replicas issuing a ticket at the same moment both read "no
lock", both write ticket 0, and both go ahead: the tracker is then written by two replicas at
once and a message's events are lost (seen in CI with two tabs on two replicas). This store
takes redis-py's own lock instead: one key per conversation, set only if absent and released only
by its owner, both atomic in Redis. Messages that arrive together are served one after the other,
in no promised order, as with two tabs.

The lock is a short lease that its holder renews while it works on the message, from a thread
of its own (so a slow action or a busy event loop never lets it lapse): a replica killed while
holding a lock frees its conversation within the lease, and a live one keeps it as long as it
needs it. A message waits for the lock up to Rasa's lock lifetime (60 s).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

KEY_PREFIX = "conversation_lock:"
POLL_SECONDS = 0.05
SOCKET_TIMEOUT_SECONDS = 10.0
# A killed replica's conversation is free again within this; the holder renews it 4 times as often.
LEASE_SECONDS = 8.0
RENEWALS_PER_LEASE = 4


class AtomicRedisLockStore(LockStore):
    """Redis lock store for several replicas; configured like Rasa's `type: redis`."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        host: Text = "localhost",
        port: int = 6379,
        db: int = 1,
        password: Optional[Text] = None,
        use_ssl: bool = False,
        key_prefix: Optional[Text] = None,
        socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        if endpoint_config is not None:

            def setting(
                name: Text, default: Any
            ) -> Any:  # db 0 is a real choice; only absent is default
                value = endpoint_config.kwargs.get(name)
                return default if value is None or value == "" else value

            host = endpoint_config.url or host
            port, db = setting("port", port), setting("db", db)
            password, key_prefix = setting("password", password), setting("key_prefix", key_prefix)
            use_ssl = str(setting("use_ssl", use_ssl)).lower() in ("true", "1", "yes")
            socket_timeout = setting("socket_timeout", socket_timeout)
            lease_seconds = setting("lease_seconds", lease_seconds)
        self.lease_seconds = float(lease_seconds)
        self.red = redis.StrictRedis(
            host=host,
            port=int(port),
            db=int(db),
            password=password or None,
            ssl=use_ssl,
            socket_timeout=float(socket_timeout),
        )
        self.key_prefix = f"{key_prefix}:{KEY_PREFIX}" if key_prefix else KEY_PREFIX
        super().__init__()

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[None, None]:
        """Holds the conversation's lock for the block; waits up to `lock_lifetime` for it."""
        held = self.red.lock(
            self.key_prefix + conversation_id, timeout=self.lease_seconds, thread_local=False
        )
        deadline = time.monotonic() + lock_lifetime
        try:
            while not held.acquire(blocking=False):
                if time.monotonic() > deadline:
                    raise LockError(
                        f"Waited {lock_lifetime:g} s for another message of the same "
                        "conversation to finish."
                    )
                await asyncio.sleep(wait_time_in_seconds)
        except redis.RedisError as error:
            raise LockError(f"The lock store (Redis) cannot be reached: {error}") from error
        renewal = LeaseRenewal(held, self.lease_seconds / RENEWALS_PER_LEASE)
        try:
            yield
        finally:
            renewal.stop()
            self._release(held)

    @staticmethod
    def _release(held: redis.lock.Lock) -> None:
        try:
            held.release()
        except redis.exceptions.LockNotOwnedError:
            logger.warning("A conversation's lock lapsed before its message was done.")
        except redis.RedisError as error:  # the key expires by itself
            logger.warning("Could not release a conversation lock: %s", error)


class LeaseRenewal:
    """Renews a held lock's lease every `every` seconds until stopped, from its own thread."""

    def __init__(self, held: redis.lock.Lock, every: float) -> None:
        self._held = held
        self._every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lock-lease", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self._held.reacquire()  # the lease starts again from now
            except redis.exceptions.LockNotOwnedError:
                logger.error("A conversation's lock lapsed while its message was being handled.")
                return
            except redis.RedisError as error:
                logger.warning("Could not renew a conversation lock: %s", error)

    def stop(self) -> None:
        self._stopped.set()
