"""Parts of the cluster fail mid-conversation: what the visitor sees, and that nothing is lost."""

from __future__ import annotations

import threading
import time

import pytest

pytestmark = pytest.mark.cluster

APOLOGY = "something went wrong on my side"


def start_checklist(cluster, sender: str, answered: int) -> None:
    assert any("(1/15)" in t for t in cluster.texts(sender, "can I do it?"))
    for number in range(2, answered + 2):
        assert cluster.texts(sender, "no")[-1].startswith(f"({number}/15)")


def assert_apology_while_stopped(cluster, service: str, sender: str, message: str) -> None:
    """With `service` stopped the visitor gets the apology and the clinic's phone; then restart."""
    cluster.run(f"stop-{service}")
    try:
        reply = " ".join(cluster.texts(sender, message))
        assert APOLOGY in reply and "(555) 010-0199" in reply
    finally:
        cluster.run(f"start-{service}")


def test_a_killed_replica_does_not_lose_the_visitors_place(cluster):
    sender = "fault-kill"
    start_checklist(cluster, sender, answered=3)
    cluster.run("kill-replica", "1")
    try:
        for number in (5, 6, 7):
            assert cluster.texts(sender, "no")[-1].startswith(f"({number}/15)")
    finally:
        cluster.run("start-replica", "1")


def test_without_the_action_server_the_visitor_gets_an_apology_then_carries_on(cluster):
    sender = "fault-actions"
    start_checklist(cluster, sender, answered=2)
    assert_apology_while_stopped(cluster, "actions", sender, "no")
    # The answer that failed is asked for again, and the checklist goes on from there.
    assert cluster.texts(sender, "no")[-1].startswith("(4/15)")
    assert cluster.texts(sender, "no")[-1].startswith("(5/15)")


def test_a_postgresql_restart_loses_no_conversation(cluster):
    sender = "fault-postgres"
    start_checklist(cluster, sender, answered=1)
    restart = threading.Thread(target=cluster.run, args=("restart-postgres",))
    restart.start()
    replies = []
    while (restart.is_alive() or len(replies) < 3) and len(replies) < 12:
        replies.append(cluster.texts(sender, "no")[-1])
        time.sleep(0.2)
    restart.join()
    assert [r.split(" ")[0] for r in replies] == [f"({n}/15)" for n in range(3, 3 + len(replies))]
    users = [e["text"] for e in cluster.tracker(sender)["events"] if e["event"] == "user"]
    assert users == ["can I do it?"] + ["no"] * (1 + len(replies))


def test_without_redis_requests_fail_clearly_and_recover(cluster):
    sender = "fault-redis"
    assert any("3 minutes" in t for t in cluster.texts(sender, "how long is a session"))
    assert_apology_while_stopped(cluster, "redis", sender, "is it safe")
    assert any(
        "safe when health professionals give it" in t for t in cluster.texts(sender, "is it safe")
    )
