"""Deletes conversations idle for longer than the retention period (run it daily).

Run: python -m bot.retention [--days N] [--endpoints endpoints.yml]   (N from RETENTION_DAYS, else 30)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

DEFAULT_DAYS = 30


def open_tracker_store(endpoints: Path):
    """The same tracker store the server uses, from its endpoints file."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    from bot.review import ReviewError, tracker_store_config
    from bot.tracker_store import StrictSQLTrackerStore

    try:
        config = tracker_store_config(endpoints)
    except ReviewError as error:
        raise SystemExit(str(error)) from None
    store = TrackerStore.create(config, Domain.empty())
    store = getattr(store, "_tracker_store", store)  # Rasa wraps stores in a fail-safe layer
    if not isinstance(store, StrictSQLTrackerStore):
        raise SystemExit(f"{endpoints}: retention needs tracker_store type bot.tracker_store.StrictSQLTrackerStore.")
    return store


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Delete conversations idle for longer than N days.")
    parser.add_argument("--days", type=float, default=float(os.environ.get("RETENTION_DAYS", DEFAULT_DAYS)))
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be more than 0")
    deleted = open_tracker_store(args.endpoints).delete_idle_conversations(args.days)
    print(f"Deleted {deleted} conversation(s) idle for more than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
