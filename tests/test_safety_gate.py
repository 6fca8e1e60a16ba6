"""The safety gate: on the held-out files, no emergency, urgent or checklist figure may get
worse than the committed baseline (tests/heldout/safety_baseline.yml)."""

import pytest
import yaml

from bot.measure.safety_baseline import BASELINE_FILE, current_figures, gate_failures

pytestmark = pytest.mark.server


def test_no_safety_figure_is_worse_than_its_baseline(assistant):
    baseline = yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))
    assert gate_failures(current_figures(assistant.parse), baseline) == []


def test_the_gate_names_the_file_and_the_figure_that_got_worse():
    baseline = {"safety_messages.yml": {"emergency": 98, "false_alarms": 2}}
    current = {"safety_messages.yml": {"emergency": 97, "false_alarms": 3}}
    assert gate_failures(current, baseline) == [
        "safety_messages.yml: emergency is 97, the committed baseline is 98.",
        "safety_messages.yml: false_alarms is 3, the committed baseline is 2.",
    ]
