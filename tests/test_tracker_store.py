"""The tracker store: deletion on request, retention, honest start-up and the session setting."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.production.endpoints import DatabaseUnavailable, check_database
from bot.production.tracker_store import StrictSQLTrackerStore, deletion_confirmed

LISTEN = "action_listen"


@pytest.fixture
def store(tmp_path):
    return StrictSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def tracker(sender: str, *events, timestamp: float = None) -> DialogueStateTracker:
    events = list(events)
    if timestamp is not None:
        for event in events:
            event.timestamp = timestamp
    return DialogueStateTracker.from_events(sender, events)


def turn(text: str, action: str, timestamp: float = None):
    return [
        UserUttered(text, {"name": "faq", "confidence": 0.9}),
        ActionExecuted(action),
        BotUttered("an answer"),
        ActionExecuted(LISTEN),
    ]


async def test_a_confirmed_deletion_removes_the_whole_conversation(store):
    await store.save(
        tracker("visitor-a", ActionExecuted(LISTEN), *turn("how long is it", "utter_faq"))
    )
    await store.save(tracker("visitor-b", ActionExecuted(LISTEN), *turn("is it safe", "utter_faq")))
    assert (await store.retrieve("visitor-a")) is not None
    stored = await store.retrieve("visitor-a")
    for event in turn("yes", "action_delete_conversation"):
        stored.update(event)
    await store.save(stored)
    assert await store.retrieve("visitor-a") is None
    assert await store.retrieve("visitor-b") is not None
    assert set(await store.keys()) == {"visitor-b"}


def test_only_a_deletion_in_the_latest_turn_counts():
    earlier = tracker(
        "v",
        ActionExecuted(LISTEN),
        *turn("yes", "action_delete_conversation"),
        *turn("hi again", "utter_greet"),
    )
    assert not deletion_confirmed(earlier)
    assert deletion_confirmed(
        tracker("v", ActionExecuted(LISTEN), *turn("yes", "action_delete_conversation"))
    )


async def test_retention_deletes_only_conversations_idle_for_longer_than_the_period(store):
    now = time.time()
    await store.save(
        tracker("old", ActionExecuted(LISTEN), *turn("q", "utter_faq"), timestamp=now - 40 * 86400)
    )
    await store.save(
        tracker(
            "recent", ActionExecuted(LISTEN), *turn("q", "utter_faq"), timestamp=now - 2 * 86400
        )
    )
    assert await store.delete_idle_conversations(older_than_days=30, now=now) == 1
    assert set(await store.keys()) == {"recent"}
    assert await store.delete_idle_conversations(older_than_days=30, now=now) == 0


async def test_only_the_current_session_is_loaded_unless_configured(tmp_path):
    events = [
        ActionExecuted(LISTEN),
        *turn("first session", "utter_faq"),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted(LISTEN),
        *turn("second session", "utter_faq"),
    ]
    current_only = StrictSQLTrackerStore(
        Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db")
    )
    await current_only.save(tracker("v", *events))
    texts = [
        e.text for e in (await current_only.retrieve("v")).events if isinstance(e, UserUttered)
    ]
    assert texts == ["second session"]
    everything = StrictSQLTrackerStore(
        Domain.empty(),
        dialect="sqlite",
        db=str(tmp_path / "t.db"),
        retrieve_events_from_previous_conversation_sessions=True,
    )
    texts = [e.text for e in (await everything.retrieve("v")).events if isinstance(e, UserUttered)]
    assert texts == ["first session", "second session"]


def test_an_unreachable_database_stops_start_up_with_a_plain_message():
    url = StrictSQLTrackerStore.get_db_url("postgresql", "127.0.0.1", 9, "rasa", "rasa", "secret")
    with pytest.raises(DatabaseUnavailable, match="'rasa' on 127.0.0.1:9 cannot be reached"):
        check_database(url, timeout=2)


async def test_the_retention_command_uses_the_servers_endpoints_file(tmp_path, capsys):
    from bot.production.retention import main

    db = tmp_path / "tracker.db"
    store = StrictSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(
        tracker(
            "old",
            ActionExecuted(LISTEN),
            *turn("q", "utter_faq"),
            timestamp=time.time() - 91 * 86400,
        )
    )
    await store.save(tracker("new", ActionExecuted(LISTEN), *turn("q", "utter_faq")))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"tracker_store:\n  type: bot.production.tracker_store.StrictSQLTrackerStore\n"
        f'  dialect: "sqlite"\n  db: "{db}"\n',
        encoding="utf-8",
    )
    # As staff run it: its own process and event loop.
    assert await asyncio.to_thread(main, ["--days", "90", "--endpoints", str(endpoints)]) == 0
    assert (
        capsys.readouterr().out.strip() == "Deleted 1 conversation(s) idle for more than 90 days."
    )
    assert set(await store.keys()) == {"new"}


async def test_retention_waits_for_a_message_being_handled_and_keeps_a_conversation_it_revived(
    store,
):
    from rasa.core.lock_store import InMemoryLockStore

    old = time.time() - 40 * 86400
    await store.save(
        tracker("back", ActionExecuted(LISTEN), *turn("q", "utter_faq"), timestamp=old)
    )
    locks = InMemoryLockStore()

    async def visitor_comes_back():
        async with locks.lock("back"):
            await asyncio.sleep(0.3)  # retention starts now, and must wait for this message
            revived = await store.retrieve("back")
            for event in turn("hello again", "utter_greet"):
                revived.update(event)
            await store.save(revived)

    visitor = asyncio.create_task(visitor_comes_back())
    await asyncio.sleep(0.05)
    deleted = await store.delete_idle_conversations(older_than_days=30, lock_store=locks)
    await visitor
    assert deleted == 0
    texts = [e.text for e in (await store.retrieve("back")).events if isinstance(e, UserUttered)]
    assert texts == ["q", "hello again"]
