"""What replicas share through Redis and PostgreSQL: rate limits in total, and retention that
takes a conversation's lock like a message does."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.cluster.test_production_checks import cluster_settings

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parents[2]
PER_SENDER_LIMIT = 30  # the default, 30 messages a minute


def test_the_per_sender_limit_holds_in_total_across_replicas(cluster):
    sender = "limits-shared"
    statuses = []
    for index in range(PER_SENDER_LIMIT + 10):
        replica = cluster.replica_url(1 + index % 2)
        statuses.append(
            requests.post(
                f"{replica}/webhooks/rest/webhook",
                json={"sender": sender, "message": "hi"},
                timeout=60,
            ).status_code
        )
    allowed = statuses.count(200)
    # Counted per replica, each would allow 30 and nothing would be refused.
    assert PER_SENDER_LIMIT <= allowed <= PER_SENDER_LIMIT + 3, statuses
    assert statuses.count(429) == len(statuses) - allowed


def retention(cluster, days: float) -> subprocess.CompletedProcess:
    env = {**os.environ, **cluster_settings(cluster)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.production.retention",
            "--endpoints",
            "deploy/endpoints.yml",
            "--days",
            str(days),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_retention_racing_a_returning_visitor_leaves_whole_conversations(cluster):
    # A period of seconds also deletes the earlier tests' conversations: this file runs last.
    idle_seconds = 3.0
    for attempt in range(4):
        sender = f"retention-race-{attempt}"
        cluster.texts(sender, "how long is a session")
        time.sleep(idle_seconds + 0.5)
        deletion = threading.Thread(target=retention, args=(cluster, idle_seconds / 86400))
        deletion.start()
        time.sleep(0.05 * attempt)  # vary which of the two gets there first
        reply = cluster.texts(sender, "is it safe")
        deletion.join()
        assert any("safe when health professionals give it" in t for t in reply)
        users = [e["text"] for e in cluster.tracker(sender)["events"] if e["event"] == "user"]
        # Either the deletion came first (a new conversation, whole) or it waited and skipped
        # the conversation the visitor had just revived: never half of one.
        assert users in (["is it safe"], ["how long is a session", "is it safe"]), users
