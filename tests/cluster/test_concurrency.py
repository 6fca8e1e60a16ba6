"""Two tabs: one visitor's messages sent at the same moment to different replicas are serialised."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.production.lock_store import AtomicRedisLockStore
from tests.cluster.conftest import PORTS, read_secret

pytestmark = pytest.mark.cluster

QUESTIONS = [
    "how long is a session",
    "is it safe",
    "what should I wear",
    "how often should I go",
    "what are the side effects",
    "does it help you sleep",
]
VISITORS = ["two-tabs-a", "two-tabs-b", "two-tabs-c"]


def assert_one_turn_at_a_time(events) -> None:
    """Each message is answered, and the bot is listening again, before the next message is read."""
    turns, current = [], None
    for event in events:
        if event["event"] == "user":
            assert current is None or current[-1] == "action_listen", turns
            current = []
            turns.append(current)
        elif current is not None:
            current.append(event["name"])
    assert all(turn[0] == "utter_faq" and turn[-1] == "action_listen" for turn in turns), turns


def test_simultaneous_messages_for_one_visitor_never_interleave(cluster):
    # Brand-new conversations are where a racy lock fails first: nobody holds a lock yet.
    replicas = [cluster.replica_url(1), cluster.replica_url(2)]
    sends = [
        (visitor, question, replicas[index % 2])
        for visitor in VISITORS
        for index, question in enumerate(QUESTIONS)
    ]
    with ThreadPoolExecutor(len(sends)) as pool:
        replies = list(pool.map(lambda send: cluster.texts(*send[:2], base=send[2]), sends))
    assert all(replies), replies
    for visitor in VISITORS:
        events = [e for e in cluster.tracker(visitor)["events"] if e["event"] in ("user", "action")]
        assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(
            QUESTIONS
        ), visitor
        assert_one_turn_at_a_time(events)


def test_the_lock_lets_one_replica_at_a_time_change_a_conversation(cluster):
    """Four stores (as four replicas) each run three writers of one shared counter at once."""
    settings = dict(
        host="127.0.0.1",
        port=int(PORTS["REDIS_PORT"]),
        db=1,
        password=read_secret("REDIS_PASSWORD"),
    )
    counter, redis_client = "test:lock-counter", AtomicRedisLockStore(**settings).red

    async def replica() -> None:
        store = AtomicRedisLockStore(**settings)

        async def writer() -> None:
            for _ in range(5):
                async with store.lock("shared-visitor"):
                    seen = int(store.red.get(counter) or 0)
                    await asyncio.sleep(0.01)  # the window in which another writer would slip in
                    store.red.set(counter, seen + 1)

        await asyncio.gather(*(writer() for _ in range(3)))

    redis_client.delete(counter)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: asyncio.run(replica()), range(4)))
    assert int(redis_client.get(counter)) == 4 * 3 * 5
