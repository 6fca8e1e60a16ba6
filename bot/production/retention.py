"""Deletes conversations idle for longer than the retention period (run it daily).

Run: python -m bot.production.retention [--days N] [--endpoints endpoints.yml]
(N from RETENTION_DAYS, else retention_days in clinic.yml)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import List, Optional

from bot.shared.settings import load_settings


def idle_conversation_store(endpoints: Path):
    """The server's own tracker store, from its endpoints file; it must be ours (it can delete)."""
    from bot.production.endpoints import EndpointsError, open_tracker_store
    from bot.production.tracker_store import StrictSQLTrackerStore

    try:
        store = open_tracker_store(endpoints)
    except EndpointsError as error:
        raise SystemExit(str(error)) from None
    if not isinstance(store, StrictSQLTrackerStore):
        raise SystemExit(
            f"{endpoints}: retention needs tracker_store type "
            "bot.production.tracker_store.StrictSQLTrackerStore."
        )
    return store


def lock_store_of(endpoints: Path):
    """The server's lock store, so a deletion waits for a message being handled (and the other
    way round); None when the endpoints keep locks in one server's memory."""
    from rasa.core.lock_store import LockStore

    from bot.production.endpoints import read_endpoint

    config = read_endpoint(endpoints, "lock_store")
    return LockStore.create(config) if config is not None and config.type else None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Delete conversations idle for longer than N days."
    )
    # The same period the checklist tells visitors (clinic.yml or RETENTION_DAYS).
    parser.add_argument("--days", type=float, default=float(load_settings().retention_days))
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be more than 0")
    store = idle_conversation_store(args.endpoints)
    deleted = asyncio.run(
        store.delete_idle_conversations(args.days, lock_store=lock_store_of(args.endpoints))
    )
    print(f"Deleted {deleted} conversation(s) idle for more than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
