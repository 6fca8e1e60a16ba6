"""Load through nginx: many whole conversations at once, then every tracker checked event by event.

`make test` runs a short form (20 conversations as fast as answered, 2 replicas); `make soak`
(SOAK=full) also runs them on 1 replica, then 200 conversations at once at a human pace on 2
replicas, and writes the figures to results/load.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
FULL = os.environ.get("SOAK") == "full"
RESULTS = ROOT / "results" / "load.md"
# Visitors who type as fast as the server answers: the cluster's capacity, saturated.
CAPACITY = {"conversations": 20, "think": "0.05-0.05", "replicas": [1, 2] if FULL else [2]}
# 200 at once, pausing to read and tap as people do (2 cores here serve 20-35 messages/s).
CONCURRENT = {"conversations": 200, "think": "30-50", "replicas": [2]}


def run_load(
    cluster, conversations: int, replicas: int, think: str, workdir: Path
) -> Tuple[Dict[str, Any], List[Dict]]:
    cluster.run("use-replicas", str(replicas))
    name = f"{conversations}-{replicas}"
    transcripts, summary = workdir / f"transcripts-{name}.jsonl", workdir / f"summary-{name}.json"
    env = {
        **os.environ,
        "TRANSCRIPTS": str(transcripts),
        "LOAD_SUMMARY": str(summary),
        "THINK_SECONDS": think,
    }
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "-u",
            str(conversations),
            "-r",
            str(min(conversations, 50)),
            "--run-time",
            "25m",
            "--host",
            cluster.url,
            "--loglevel",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert summary.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    lines = transcripts.read_text().splitlines() if transcripts.exists() else []
    return json.loads(summary.read_text()), [json.loads(line) for line in lines]


def check_tracker(cluster, transcript: Dict[str, Any]) -> None:
    """Exactly the messages sent, in order, each followed by the reply the visitor got."""
    tracker = cluster.tracker(transcript["sender"])
    events = tracker["events"]
    user_indexes = [i for i, e in enumerate(events) if e["event"] == "user"]
    assert [events[i]["text"] for i in user_indexes] == transcript["sent"], transcript["sender"]
    for number, index in enumerate(user_indexes):
        first_reply = next(e for e in events[index + 1 :] if e["event"] in ("bot", "user"))
        assert (
            first_reply["event"] == "bot" and first_reply["text"] == transcript["replies"][number]
        ), (transcript["sender"], number)
    assert tracker["slots"]["screening_result"] == "clear"
    assert tracker["slots"]["flagged_conditions"] == []


def measure(
    cluster, workdir: Path, conversations: int, think: str, replica_counts: List[int]
) -> None:
    for replicas in replica_counts:
        summary, transcripts = run_load(cluster, conversations, replicas, think, workdir)
        assert summary["failures"] == 0, summary
        assert len(transcripts) == conversations
        assert summary["requests"] == sum(len(t["sent"]) for t in transcripts)
        for transcript in transcripts:
            check_tracker(cluster, transcript)
        record(
            f"| {replicas} | {conversations} | {think} | {summary['requests']} | "
            f"{summary['failures']} | "
            f"{summary['messages_per_second']} | {summary['p50_ms']} | {summary['p95_ms']} |"
        )
    cluster.run("use-replicas", "2")


def record(row: str) -> None:
    if not RESULTS.exists() or "think s" not in RESULTS.read_text():
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(
            "| replicas | conversations | think s | messages | errors | messages/s "
            "| p50 ms | p95 ms |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        )
    with RESULTS.open("a") as out:
        out.write(row + "\n")
    print(row)


def test_conversations_as_fast_as_the_cluster_answers_lose_and_mix_nothing(cluster, tmp_path):
    measure(cluster, tmp_path, CAPACITY["conversations"], CAPACITY["think"], CAPACITY["replicas"])


@pytest.mark.skipif(not FULL, reason="make soak (SOAK=full) runs the 200-conversation load")
def test_200_conversations_at_once_lose_and_mix_nothing(cluster, tmp_path):
    measure(
        cluster, tmp_path, CONCURRENT["conversations"], CONCURRENT["think"], CONCURRENT["replicas"]
    )
