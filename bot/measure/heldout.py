"""Held-out measurement: how the trained model does on tests/heldout/questions.yml.

The held-out questions were written before any tuning and are never trained on.
Run: python -m bot.measure.heldout [model.tar.gz]
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from bot.shared import names
from bot.shared.open_set import asked_uncovered
from bot.shared.project import SOURCE_ROOT

HELDOUT_FILE = SOURCE_ROOT / "tests" / "heldout" / "questions.yml"
FALLBACK = names.NLU_FALLBACK
# What the NLU makes of a text, shaped like Rasa's /model/parse answer.
Parse = Callable[[str], Dict[str, Any]]


def load_heldout(path: Path = HELDOUT_FILE) -> Dict[str, Dict[str, List[str]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def predicted_label(parse: Dict[str, Any]) -> str:
    """'faq/<topic>' for FAQ answers, otherwise the intent name. A back-pain report that also
    asks a question gets that topic's answer after the report, or the honest answer when no
    topic answers it (actions/back_pain.py)."""
    intent = (parse.get("intent") or {}).get("name")
    open_set = parse.get("open_set") or {}
    if intent == names.BACK_PAIN_REPORT and open_set.get("covered") and open_set.get("topic"):
        return open_set["topic"]
    if intent == names.BACK_PAIN_REPORT and asked_uncovered(parse):
        return names.NOT_COVERED  # the report, then the honest answer to its question
    if intent == names.FAQ:
        selectors = parse.get("response_selector") or {}
        # Rasa's ResponseSelector without `retrieval_intent` answers under "default".
        selected = selectors.get(names.FAQ) or selectors.get("default") or {}
        key = (selected.get("response") or {}).get("intent_response_key") or "faq/?"
        return key
    return intent or FALLBACK


@dataclass
class HeldoutReport:
    faq_total: int = 0
    faq_correct: int = 0
    per_topic: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    other_total: int = 0
    other_correct: int = 0
    out_of_scope_as_faq: int = 0
    out_of_scope_total: int = 0
    emergency_caught: int = 0
    emergency_total: int = 0
    false_alarms: int = 0
    non_emergency_total: int = 0
    mistakes: List[Tuple[str, str, str]] = field(default_factory=list)

    @property
    def faq_accuracy(self) -> float:
        return self.faq_correct / max(self.faq_total, 1)

    def lines(self) -> List[str]:
        out = [
            f"FAQ topic accuracy: {self.faq_correct}/{self.faq_total} = {self.faq_accuracy:.1%}",
            f"other intents: {self.other_correct}/{self.other_total}",
            "unrelated requests answered as an FAQ: "
            f"{self.out_of_scope_as_faq}/{self.out_of_scope_total}",
            f"emergencies caught: {self.emergency_caught}/{self.emergency_total}",
            f"false emergency alarms: {self.false_alarms}/{self.non_emergency_total}",
        ]
        weak = {t: c for t, c in self.per_topic.items() if c[0] < c[1]}
        if weak:
            out.append(
                "topics with misses: "
                + ", ".join(f"{t} {c[0]}/{c[1]}" for t, c in sorted(weak.items()))
            )
        return out


def measure(parse: Parse, heldout=None) -> HeldoutReport:
    heldout = heldout or load_heldout()
    report = HeldoutReport()
    for topic, questions in heldout["faq"].items():
        expected = f"faq/{topic}"
        correct = 0
        for text in questions:
            got = predicted_label(parse(text))
            correct += got == expected
            report.false_alarms += got == "emergency"
            if got != expected:
                report.mistakes.append((text, expected, got))
        report.per_topic[topic] = (correct, len(questions))
        report.faq_total += len(questions)
        report.faq_correct += correct
        report.non_emergency_total += len(questions)
    for intent, questions in heldout["other"].items():
        for text in questions:
            got = predicted_label(parse(text))
            ok = got == intent or (intent == names.OUT_OF_SCOPE and got == FALLBACK)
            report.other_total += 1
            report.other_correct += ok
            if not ok:
                report.mistakes.append((text, intent, got))
            if intent == "emergency":
                report.emergency_total += 1
                report.emergency_caught += got == "emergency"
            else:
                report.non_emergency_total += 1
                report.false_alarms += got == "emergency"
            if intent == names.OUT_OF_SCOPE:
                report.out_of_scope_total += 1
                report.out_of_scope_as_faq += got.startswith("faq/")
    return report


def quiet_rasa_logs() -> None:
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def saved_model_parser(model_path: str) -> Parse:
    """Parses with a trained model loaded in this process (no server)."""
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    agent = Agent.load(str(model_path))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    model = argv[0] if argv else "models/current.tar.gz"
    report = measure(saved_model_parser(model))
    print("\n".join(report.lines()))
    if "-v" in argv:
        for text, expected, got in report.mistakes:
            print(f"  {expected:28} -> {got:28} {text}")
    print(Counter(e for _, e, _ in report.mistakes).most_common(10))


if __name__ == "__main__":
    main()
