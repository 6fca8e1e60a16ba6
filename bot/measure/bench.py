"""`make bench`: this assistant against Rasa's default pipeline and policies, on the same data.

Prints, for each: training time, start-to-ready time, REST latency p50/p95 over the
held-out questions, the server's peak memory, and held-out FAQ topic accuracy;
then the ratios. Both are measured in this one run, so the ratios hold on a noisy machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import List

from bot.measure.heldout import HeldoutReport, load_heldout, measure
from bot.measure.launcher import ROOT, RunningAssistant, start_assistant
from bot.production.server_command import BIN

DEFAULT_CONFIG = (
    "recipe: default.v1\nlanguage: en\nassistant_id: default-reference\npipeline:\npolicies:\n"
)
TARGETS = {"start_to_ready": 0.40, "p95_ms": 0.60, "peak_mib": 0.80}


@dataclass
class Figures:
    train_s: float
    start_to_ready_s: float
    p50_ms: float
    p95_ms: float
    peak_mib: float
    accuracy: float


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


def rest_latencies(assistant: RunningAssistant, questions: List[str]) -> List[float]:
    latencies = []
    for text in questions:
        started = time.perf_counter()
        assistant.say(f"bench-{uuid.uuid4().hex[:8]}", text)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def bench_running_model(
    model: Path, train_s: float, workdir: Path
) -> tuple[Figures, HeldoutReport]:
    assistant = start_assistant(workdir, model=model)
    try:
        questions = [q for qs in load_heldout()["faq"].values() for q in qs]
        rest_latencies(assistant, questions[:5])  # warm-up, not counted
        latencies = rest_latencies(assistant, questions)
        report = measure(assistant.parse)
        figures = Figures(
            train_s,
            assistant.seconds_to_ready,
            statistics.median(latencies),
            percentile(latencies, 0.95),
            peak_rss_mib(assistant.server_pid),
            report.faq_accuracy,
        )
    finally:
        assistant.stop()
    return figures, report


def row(name: str, f: Figures) -> str:
    return (
        f"| {name} | {f.train_s:.0f} | {f.start_to_ready_s:.1f} | "
        f"{f.p50_ms:.0f} / {f.p95_ms:.0f} | "
        f"{f.peak_mib:.0f} | {f.accuracy:.1%} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        default_config = work / "default-config.yml"
        default_config.write_text(DEFAULT_CONFIG)
        print(
            "Training this assistant and the default-pipeline reference (a few minutes each)...",
            flush=True,
        )
        ours_train = train(ROOT / "config.yml", work, "ours")
        reference_train = train(default_config, work, "reference")
        (work / "ours-run").mkdir()
        (work / "reference-run").mkdir()
        ours, report = bench_running_model(work / "ours.tar.gz", ours_train, work / "ours-run")
        reference, _ = bench_running_model(
            work / "reference.tar.gz", reference_train, work / "reference-run"
        )

    print(
        "\n| model | train s | start-to-ready s | REST p50 / p95 ms | peak RSS MiB "
        "| held-out FAQ accuracy |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    print(row("this assistant", ours))
    print(row("Rasa default pipeline + policies", reference))
    ratios = {
        "train": ours.train_s / reference.train_s,
        "start_to_ready": ours.start_to_ready_s / reference.start_to_ready_s,
        "p95_ms": ours.p95_ms / reference.p95_ms,
        "peak_mib": ours.peak_mib / reference.peak_mib,
    }
    print("\nratios (this / default): " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    for key, target in TARGETS.items():
        verdict = "meets" if ratios[key] <= target else "MISSES"
        print(f"  {key}: {ratios[key]:.2f} {verdict} the target of at most {target:.2f}")
    verdict = "meets" if ours.accuracy >= max(0.95, reference.accuracy) else "MISSES"
    print(
        f"  accuracy: {ours.accuracy:.1%} vs default {reference.accuracy:.1%}: "
        f"{verdict} the target "
        "(at least 95% and at least the default's)"
    )
    print("\nThis assistant on the held-out file:")
    print("\n".join("  " + line for line in report.lines()))


if __name__ == "__main__":
    sys.exit(main())
