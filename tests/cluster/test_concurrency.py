"""Two tabs: one visitor's messages sent at the same moment to different replicas are serialised."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.cluster

QUESTIONS = ["how long is a session", "is it safe", "what should I wear", "how often should I go",
             "what are the side effects", "does it help you sleep"]


def test_simultaneous_messages_for_one_visitor_never_interleave(cluster):
    sender = "two-tabs"
    replicas = [cluster.replica_url(1), cluster.replica_url(2)]
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        replies = list(pool.map(lambda pair: cluster.texts(sender, pair[1], base=replicas[pair[0] % 2]),
                                enumerate(QUESTIONS)))
    assert all(replies), replies
    events = [e for e in cluster.tracker(sender)["events"] if e["event"] in ("user", "action")]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(QUESTIONS)
    # Each message is answered, and the bot is listening again, before the next message is read.
    turns, current = [], None
    for event in events:
        if event["event"] == "user":
            assert current is None or current[-1] == "action_listen", turns
            current = []
            turns.append(current)
        elif current is not None:
            current.append(event["name"])
    assert all(turn[0] == "utter_faq" and turn[-1] == "action_listen" for turn in turns), turns
