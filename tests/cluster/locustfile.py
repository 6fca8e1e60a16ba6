"""Locust: each simulated visitor has one whole conversation (FAQs, the full checklist), then stops.

Run by tests/cluster/test_load.py. TRANSCRIPTS is a JSON-lines file: one line per conversation
with what was sent and the first reply to each message, for checking the trackers afterwards.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

CHECKLIST_QUESTIONS = 15
# Seconds a visitor takes to read and type between messages (THINK_SECONDS=min-max).
THINK_MIN, THINK_MAX = (float(x) for x in os.environ.get("THINK_SECONDS", "0.05-0.05").split("-"))
finished = {"count": 0}


def script(tag: str):
    return (
        [f"hello from visitor {tag}", "how long is a session", "can I do it?"]
        + ["no"] * CHECKLIST_QUESTIONS
        + ["how often should I go", f"thanks, that's all for {tag}"]
    )


class Visitor(HttpUser):
    wait_time = constant(0)

    @task
    def one_conversation(self) -> None:
        tag = uuid.uuid4().hex[:10]
        sender = f"load-{tag}"
        sent, replies = [], []
        for message in script(tag):
            time.sleep(random.uniform(THINK_MIN, THINK_MAX))
            with self.client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                name="message",
                catch_response=True,
            ) as response:
                body = response.json() if response.status_code == 200 else None
                if not body or not isinstance(body, list) or not body[0].get("text"):
                    response.failure(f"status {response.status_code}")
                sent.append(message)
                replies.append(body[0]["text"] if body else None)
        with open(os.environ["TRANSCRIPTS"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"sender": sender, "sent": sent, "replies": replies}) + "\n")
        finished["count"] += 1
        if finished["count"] >= self.environment.parsed_options.num_users:
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()


@events.quitting.add_listener
def write_summary(environment, **_kwargs) -> None:
    total = environment.stats.total
    seconds = max(total.last_request_timestamp - total.start_time, 1e-9)
    summary = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "seconds": round(seconds, 1),
        "messages_per_second": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
    }
    with open(os.environ["LOAD_SUMMARY"], "w", encoding="utf-8") as out:
        json.dump(summary, out)
