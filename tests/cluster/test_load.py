"""Load through nginx: many whole conversations at once, then every tracker checked event by event.

`make test` runs a short form (20 conversations, 2 replicas); `make soak` (SOAK=full) runs 200
conversations against 1 and then 2 replicas and writes the figures to results/load.md.
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
CONVERSATIONS = 200 if FULL else 20
REPLICA_COUNTS = [1, 2] if FULL else [2]
RESULTS = ROOT / "results" / "load.md"


def run_load(cluster, conversations: int, replicas: int, workdir: Path) -> Tuple[Dict[str, Any], List[Dict]]:
    cluster.run("use-replicas", str(replicas))
    transcripts, summary = workdir / f"transcripts-{replicas}.jsonl", workdir / f"summary-{replicas}.json"
    env = {**os.environ, "TRANSCRIPTS": str(transcripts), "LOAD_SUMMARY": str(summary)}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
         "-u", str(conversations), "-r", str(min(conversations, 50)), "--run-time", "25m",
         "--host", cluster.url, "--loglevel", "WARNING"],
        env=env, capture_output=True, text=True, timeout=1800)
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
        first_reply = next(e for e in events[index + 1:] if e["event"] in ("bot", "user"))
        assert first_reply["event"] == "bot" and first_reply["text"] == transcript["replies"][number], (
            transcript["sender"], number)
    assert tracker["slots"]["screening_result"] == "clear"
    assert tracker["slots"]["flagged_conditions"] == []


def test_many_whole_conversations_at_once_lose_and_mix_nothing(cluster, tmp_path):
    rows = []
    for replicas in REPLICA_COUNTS:
        summary, transcripts = run_load(cluster, CONVERSATIONS, replicas, tmp_path)
        assert summary["failures"] == 0, summary
        assert len(transcripts) == CONVERSATIONS
        assert summary["requests"] == sum(len(t["sent"]) for t in transcripts)
        for transcript in transcripts:
            check_tracker(cluster, transcript)
        rows.append(f"| {replicas} | {CONVERSATIONS} | {summary['requests']} | {summary['failures']} | "
                    f"{summary['messages_per_second']} | {summary['p50_ms']} | {summary['p95_ms']} |")
    cluster.run("use-replicas", "2")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("| replicas | conversations | messages | errors | messages/s | p50 ms | p95 ms |\n"
                       "| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    print("\n" + RESULTS.read_text())
