"""The SQL tracker store the assistant uses, locally (SQLite) and in production (PostgreSQL).

On top of Rasa's SQLTrackerStore it:
- refuses to start when the configured server database does not exist or cannot be reached
  (Rasa would otherwise retry forever, or fall back to an in-memory store and lose conversations);
- waits out a short database outage (a restart) instead of dropping the conversation;
- honours `retrieve_events_from_previous_conversation_sessions` (default false: the server
  loads only the current session);
- deletes a conversation when the visitor confirmed "delete my data" (action_delete_conversation);
- deletes conversations idle for longer than a retention period
  (`python -m bot.production.retention`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import nullcontext
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.production.endpoints import check_database
from bot.shared.privacy import DELETE_ACTION

logger = logging.getLogger(__name__)

OUTAGE_RETRY_SECONDS = 30.0


class StrictSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain=None,
        dialect: Text = "sqlite",
        host: Optional[Text] = None,
        port: Optional[int] = None,
        db: Text = "rasa.db",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        event_broker=None,
        login_db: Optional[Text] = None,
        query: Optional[Dict] = None,
        retrieve_events_from_previous_conversation_sessions: bool = False,
        **kwargs: Any,
    ) -> None:
        url = self.get_db_url(dialect, host, port, db, username, password, login_db, query)
        check_database(url)
        super().__init__(
            domain,
            dialect,
            host,
            port,
            db,
            username,
            password,
            event_broker,
            login_db,
            query,
            **kwargs,
        )
        self.all_sessions = bool(retrieve_events_from_previous_conversation_sessions)
        # Pre-ping replaces connections a database restart has closed, instead of failing a request.
        self.engine.dispose()
        self.engine = sa.create_engine(
            self.engine.url, pool_pre_ping=True, **create_engine_kwargs(self.engine.url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._through_outage(lambda: self._retrieve(sender_id, self.all_sessions))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if deletion_confirmed(tracker):
            await self._through_outage(lambda: self.delete(tracker.sender_id))
            logger.info("A conversation was deleted at the visitor's request.")
            return
        await self._through_outage(lambda: super(StrictSQLTrackerStore, self).save(tracker))

    async def _through_outage(self, operation):
        """Retries while the database is briefly away (a restart), then gives up loudly."""
        deadline = time.monotonic() + OUTAGE_RETRY_SECONDS
        while True:
            try:
                return await operation()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                if time.monotonic() > deadline:
                    raise
                logger.warning("Tracker database unavailable, retrying: %s", type(error).__name__)
                await asyncio.sleep(1.0)

    async def delete(self, sender_id: Text) -> int:
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            )
            session.commit()
        return deleted

    def idle_conversations(self, cutoff: float) -> List[Text]:
        """The conversations whose last event is older than `cutoff` (a Unix time)."""
        events = self.SQLEvent
        with self.session_scope() as session:
            idle = (
                session.query(events.sender_id)
                .group_by(events.sender_id)
                .having(sa.func.max(events.timestamp) < cutoff)
            )
            return [row[0] for row in idle]

    async def delete_idle_conversations(
        self, older_than_days: float, now: Optional[float] = None, lock_store: Any = None
    ) -> int:
        """Deletes every conversation idle for longer than the retention period.

        Each one under its conversation lock (the one a message takes), and only if it is still
        idle once the lock is held: a visitor who comes back at that moment either finds the
        conversation before it goes, or starts a new one; never half of one.
        """
        cutoff = (now if now is not None else time.time()) - older_than_days * 86400
        deleted = 0
        for sender_id in self.idle_conversations(cutoff):
            async with lock_store.lock(sender_id) if lock_store else nullcontext():
                if sender_id in self.idle_conversations(cutoff):
                    deleted += bool(await self.delete(sender_id))
        return deleted


def deletion_confirmed(tracker: DialogueStateTracker) -> bool:
    """The visitor confirmed "delete my data" in the turn being saved."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted):
            if event.action_name == DELETE_ACTION:
                return True
            if event.action_name == "action_listen" and event is not tracker.events[-1]:
                return False
    return False
