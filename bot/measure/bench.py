"""`make bench`: this assistant against Rasa's default pipeline and policies, on the same data.

Measured in one run, so the ratios hold on a noisy machine: training time, start-to-ready (the
median of three starts), the server's peak memory, REST latency p50/p95 for a new conversation
(its first message starts the session: a call to the action server and the tracker store
writes) and for a later message of a conversation (conversations of a visit's length: a
greeting, then up to 20 questions), `/model/parse` p50, and held-out FAQ accuracy. The default
is served the way Rasa ships it (plain `rasa run`), so its figures are what a clinic would get
without this project's serving changes. Then one replica's throughput under 20 concurrent
conversations, this assistant served without TensorFlow against the same model served the way
Rasa serves it (TensorFlow loaded).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import requests

from bot.measure.heldout import HeldoutReport, load_heldout, measure
from bot.measure.launcher import ROOT, RunningAssistant, start_assistant
from bot.production.server_command import BIN

DEFAULT_CONFIG = (
    "recipe: default.v1\nlanguage: en\nassistant_id: default-reference\npipeline:\npolicies:\n"
)
TARGETS = {"start_to_ready": 0.35, "peak_mib": 0.60, "new_p95_ms": 0.40, "later_p95_ms": 0.40}
STARTS = 3
REFERENCE_CACHE = ROOT / ".run" / "bench-reference"
CONCURRENT_CONVERSATIONS = 20
# A visit: a greeting, a few questions, the 15-question checklist.
MESSAGES_PER_CONVERSATION = 20
CONVERSATION = [
    "hello",
    "how long is a session",
    "is it safe",
    "what should I wear",
    "how often should I go",
    "can I do cryotherapy?",
    "no",
    "no",
    "no",
    "thanks",
]


@dataclass
class Figures:
    train_s: float
    start_to_ready_s: float
    peak_mib: float
    new_p50_ms: float
    new_p95_ms: float
    later_p50_ms: float
    later_p95_ms: float
    parse_p50_ms: float
    accuracy: float


def training_inputs_digest(config: Path) -> str:
    """What a trained reference depends on: its config and the project's training data."""
    digest = hashlib.sha256(config.read_bytes())
    for path in [ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def trained_reference(config: Path, out: Path) -> tuple[Path, float]:
    """The default-pipeline reference, kept between runs: it takes a quarter of an hour to train.

    Trained again whenever the data or domain change; its training time is the one measured then.
    """
    kept = REFERENCE_CACHE / training_inputs_digest(config)
    if not (kept / "reference.tar.gz").exists():
        seconds = train(config, out, "reference")
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / "reference.tar.gz", kept / "reference.tar.gz")
        (kept / "train-seconds").write_text(f"{seconds:.1f}\n")
    else:
        print(f"(the reference trained on this data in an earlier run is reused: {kept})")
    return kept / "reference.tar.gz", float((kept / "train-seconds").read_text())


def train(config: Path, out: Path, name: str) -> float:
    """Training time from scratch: a fresh, empty Rasa cache for each model."""
    cache = out / f"cache-{name}"
    cache.mkdir()
    started = time.monotonic()
    subprocess.run(
        [
            str(BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(cache)},
    )
    return time.monotonic() - started


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def new_conversation_latencies(assistant: RunningAssistant, questions: List[str]) -> List[float]:
    return [
        timed_ms(lambda q=q: assistant.say(f"bench-{uuid.uuid4().hex[:8]}", q)) for q in questions
    ]


def later_message_latencies(assistant: RunningAssistant, questions: List[str]) -> List[float]:
    latencies: List[float] = []
    for start in range(0, len(questions), MESSAGES_PER_CONVERSATION):
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        assistant.say(sender, "hello")  # the session is started before the timed messages
        latencies += [
            timed_ms(lambda q=q: assistant.say(sender, q))
            for q in questions[start : start + MESSAGES_PER_CONVERSATION]
        ]
    return latencies


def parse_latencies(assistant: RunningAssistant, questions: List[str]) -> List[float]:
    return [timed_ms(lambda q=q: assistant.parse(q)) for q in questions]


def bench_running_model(
    assistant: RunningAssistant, train_s: float
) -> tuple[Figures, HeldoutReport]:
    questions = [q for qs in load_heldout()["faq"].values() for q in qs]
    new_conversation_latencies(assistant, questions[:5])  # warm-up, not counted
    new = new_conversation_latencies(assistant, questions)
    later = later_message_latencies(assistant, questions)
    parse = parse_latencies(assistant, questions)
    report = measure(assistant.parse)
    figures = Figures(
        train_s,
        assistant.seconds_to_ready,
        peak_rss_mib(assistant.server_pid),
        statistics.median(new),
        percentile(new, 0.95),
        statistics.median(later),
        percentile(later, 0.95),
        statistics.median(parse),
        report.faq_accuracy,
    )
    return figures, report


def run_model(
    model: Path, workdir: Path, train_s: float, rasa_entry: Optional[List[str]] = None
) -> tuple[Figures, HeldoutReport]:
    def start() -> RunningAssistant:
        return start_assistant(
            workdir,
            model=model,
            rasa_entry=rasa_entry,
            env={"RATE_LIMIT_PER_SENDER": "off", "RATE_LIMIT_PER_IP": "off"},
        )

    # Start-to-ready is the median of three starts: the first start after an install also pays
    # for cold disk caches and byte-compiling, which a restarted replica does not.
    starts = []
    for _ in range(STARTS - 1):
        assistant = start()
        starts.append(assistant.seconds_to_ready)
        assistant.stop()
    assistant = start()
    starts.append(assistant.seconds_to_ready)
    assistant.seconds_to_ready = statistics.median(starts)
    try:
        return bench_running_model(assistant, train_s)
    finally:
        assistant.stop()


def throughput(model: Path, workdir: Path, rasa_entry: Optional[List[str]] = None) -> float:
    """Messages a second one replica answers to 20 visitors who each answer at once."""
    assistant = start_assistant(
        workdir,
        model=model,
        rasa_entry=rasa_entry,
        env={"RATE_LIMIT_PER_SENDER": "off", "RATE_LIMIT_PER_IP": "off"},
    )

    def conversation(_: int) -> int:
        sender = f"load-{uuid.uuid4().hex[:8]}"
        for text in CONVERSATION:
            requests.post(
                f"{assistant.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=120,
            ).raise_for_status()
        return len(CONVERSATION)

    try:
        conversation(0)  # warm-up
        started = time.monotonic()
        with ThreadPoolExecutor(CONCURRENT_CONVERSATIONS) as pool:
            sent = sum(pool.map(conversation, range(CONCURRENT_CONVERSATIONS)))
        return sent / (time.monotonic() - started)
    finally:
        assistant.stop()


def row(name: str, f: Figures) -> str:
    return (
        f"| {name} | {f.train_s:.0f} | {f.start_to_ready_s:.1f} | {f.peak_mib:.0f} | "
        f"{f.new_p50_ms:.0f} / {f.new_p95_ms:.0f} | {f.later_p50_ms:.0f} / "
        f"{f.later_p95_ms:.0f} | {f.parse_p50_ms:.0f} | {f.accuracy:.1%} |"
    )


def ratios(ours: Figures, reference: Figures) -> Dict[str, float]:
    return {
        "train": ours.train_s / reference.train_s,
        "start_to_ready": ours.start_to_ready_s / reference.start_to_ready_s,
        "peak_mib": ours.peak_mib / reference.peak_mib,
        "new_p95_ms": ours.new_p95_ms / reference.new_p95_ms,
        "later_p95_ms": ours.later_p95_ms / reference.later_p95_ms,
        "parse_p50_ms": ours.parse_p50_ms / reference.parse_p50_ms,
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        default_config = work / "default-config.yml"
        default_config.write_text(DEFAULT_CONFIG)
        print(
            "Training this assistant and the default-pipeline reference "
            "(the reference: a quarter of an hour on 2 cores, once per change of data)...",
            flush=True,
        )
        ours_train = train(ROOT / "config.yml", work, "ours")
        reference_model, reference_train = trained_reference(default_config, work)
        for name in ("ours-run", "reference-run", "tf-run", "load-lean", "load-tf"):
            (work / name).mkdir()
        ours, report = run_model(work / "ours.tar.gz", work / "ours-run", ours_train)
        reference, _ = run_model(
            reference_model,
            work / "reference-run",
            reference_train,
            rasa_entry=[str(BIN / "rasa")],
        )
        with_tf, _ = run_model(
            work / "ours.tar.gz", work / "tf-run", ours_train, rasa_entry=[str(BIN / "rasa")]
        )
        lean_rate = throughput(work / "ours.tar.gz", work / "load-lean")
        tf_rate = throughput(work / "ours.tar.gz", work / "load-tf", [str(BIN / "rasa")])

    print(
        "\n| model | train s | start-to-ready s | peak RSS MiB | new conversation p50 / p95 ms "
        "| later message p50 / p95 ms | /model/parse p50 ms | held-out FAQ accuracy |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(row("this assistant (served without TensorFlow)", ours))
    print(row("the same model served with TensorFlow (plain rasa run)", with_tf))
    print(row("Rasa default pipeline + policies (plain rasa run)", reference))
    found = ratios(ours, reference)
    print("\nratios (this / default): " + ", ".join(f"{k} {v:.2f}" for k, v in found.items()))
    failed = 0
    for key, target in TARGETS.items():
        verdict = "meets" if found[key] <= target else "MISSES"
        failed += verdict == "MISSES"
        print(f"  {key}: {found[key]:.2f} {verdict} the target of at most {target:.2f}")
    print(
        f"\nthroughput, 1 replica, {CONCURRENT_CONVERSATIONS} conversations at once: "
        f"{lean_rate:.1f} messages/s without TensorFlow, {tf_rate:.1f} with it "
        f"(ratio {lean_rate / tf_rate:.2f})"
    )
    print("\nThis assistant on the held-out file:")
    print("\n".join("  " + line for line in report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
