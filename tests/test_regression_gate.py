"""The regression gate: no topic's held-out F1 may fall more than the margin below the baseline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.staff.report import Score, gate_failures, heldout_pairs, load_baseline, scores

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_no_topic_fell_below_its_baseline(assistant):
    """The gate as `make test` runs it, on the model just trained."""
    pairs = heldout_pairs(assistant.parse)
    assert gate_failures(scores(pairs), load_baseline(), pairs) == []


def test_the_gate_message_names_the_topic_and_what_it_was_taken_for():
    baseline = {"margin": 0.15, "heldout_f1": {"faq/sleep": 1.0, "faq/vs_ice": 0.9}}
    current = {"faq/sleep": Score(1.0, 0.5, 0.667, 4), "faq/vs_ice": Score(0.8, 0.9, 0.85, 10)}
    pairs = [("faq/sleep", "faq/sleep")] * 2 + [("faq/sleep", "faq/benefits")] * 2
    assert gate_failures(current, baseline, pairs) == [
        "faq/sleep: held-out F1 fell to 0.67 from its baseline 1.00 (allowed drop 0.15). "
        "Its questions were taken for: faq/benefits (2x). "
        "Look at recent changes to this topic's examples and to the topics it "
        "is confused with."
    ]


def test_a_topic_missing_from_the_model_fails_the_gate():
    assert gate_failures({}, {"margin": 0.1, "heldout_f1": {"faq/sleep": 0.9}})[0].startswith(
        "faq/sleep: held-out F1 fell to 0.00"
    )


def move_topic_examples(nlu: Path, source: str, target: str, keep: int) -> None:
    """Pastes all but `keep` of a topic's examples under another: a realistic staff mistake."""
    lines = nlu.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"- intent: faq/{source}\n") + 2
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("    - "))
    moved, lines[start + keep : end] = lines[start + keep : end], []
    insert_at = lines.index(f"- intent: faq/{target}\n") + 2
    lines[insert_at:insert_at] = moved
    nlu.write_text("".join(lines), encoding="utf-8")


@pytest.mark.training
def test_a_damaged_topic_fails_the_gate_by_name(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("config.yml", "domain.yml", "data"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    move_topic_examples(project / "data/nlu/faq.yml", "how_often", "how_long", keep=3)
    environment = {**os.environ, "TQDM_DISABLE": "1", "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run(
        [str(BIN / "rasa"), "train", "nlu", "--fixed-model-name", "damaged", "--out", "models"],
        cwd=project,
        env=environment,
        check=True,
        capture_output=True,
    )
    gate = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.staff.report",
            "--gate-only",
            "--model",
            str(project / "models/damaged.tar.gz"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert gate.returncode == 1, gate.stdout + gate.stderr[-2000:]
    assert "REGRESSION faq/how_often: held-out F1 fell to" in gate.stdout
    assert "faq/how_long" in gate.stdout.split("REGRESSION faq/how_often")[1].splitlines()[0]
    assert "Regression gate: FAILED." in gate.stdout
