"""Chooses triage's thresholds on the tuning files, and shows what each layer does alone.

Every tuning message (tests/tuning/safety_messages*.yml, and the tuning visitor questions as
ordinary messages) is read once by the trained model's triage, keeping every layer's reading of
every unit; then each combination of thresholds is judged on those readings. The safest
combination wins: no emergency answer and at most 2% urgent answers to plain back pain, at most
2% emergency answers to other ordinary messages, then the most emergencies and urgent messages
given care. Held-out files are never read here.

Run: python -m bot.measure.triage_calibration [--model M] [--top 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot.measure.heldout import quiet_rasa_logs
from bot.measure.safety import load_messages
from bot.shared.project import SOURCE_ROOT

TUNING = SOURCE_ROOT / "tests" / "tuning"
PLAIN = "plain_back_pain"
GRID = {
    "classifier_emergency": (0.45, 0.55, 0.65, 0.75, 0.85, 0.95),
    "classifier_care": (0.45, 0.55, 0.65, 0.75, 0.85),
    "semantic_similarity": (0.74, 0.78, 0.82, 0.86, 0.9, 2.0),
    "semantic_margin": (0.02, 0.05),
    "context_for_learned": (True,),
    "clause_margin": (0.0, 0.1, 0.2),
}


def tuning_messages(folder: Path = TUNING) -> List[Tuple[str, str, str]]:
    """(expected level, category, text): the safety files, and visitor questions as none."""
    found: List[Tuple[str, str, str]] = []
    for path in sorted(folder.glob("safety_messages*.yml")):
        found += load_messages(path)
    for path in sorted(folder.glob("visitor_questions*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in ("faq", "not_covered"):
            for texts in (raw.get(section) or {}).values():
                found += [("none", "visitor_question", t) for t in texts]
    return found


def loaded_guard(model: str):
    from rasa.core.agent import Agent

    from bot.nlu.triage.guard import SafetyIntentGuard

    quiet_rasa_logs()
    agent = Agent.load(model)
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    guard = next(n._component for n in nodes if isinstance(n._component, SafetyIntentGuard))
    return agent, guard


def readings_of(agent, guard, messages: Iterable[Tuple[str, str, str]]) -> List[Tuple]:
    """Each message with its units' readings, read once through the whole pipeline."""
    assessor = guard.assessor
    captured: List = []
    original = assessor.read

    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        captured.append(result)
        return result

    assessor.read = recording
    loop = asyncio.new_event_loop()
    out = []
    try:
        for expected, category, text in messages:
            captured.clear()
            loop.run_until_complete(agent.parse_message(text))
            out.append((expected, category, text, captured[-1] if captured else []))
    finally:
        assessor.read = original
    return out


@dataclass
class Score:
    emergency: int = 0
    emergency_total: int = 0
    urgent: int = 0
    urgent_total: int = 0
    plain_emergency: int = 0
    plain_urgent: int = 0
    plain_report: int = 0
    plain_total: int = 0
    other_emergency: int = 0
    other_alarm: int = 0
    other_total: int = 0

    def safe(self) -> bool:
        return (
            self.plain_emergency == 0
            and self.plain_urgent <= 0.02 * self.plain_total
            and self.other_emergency <= 0.02 * self.other_total
        )

    def key(self) -> Tuple:
        return (self.safe(), self.emergency + self.urgent, -self.other_alarm, self.plain_report)

    def line(self) -> str:
        return (
            f"emergency {self.emergency}/{self.emergency_total}  urgent given care "
            f"{self.urgent}/{self.urgent_total}  plain back pain: emergency {self.plain_emergency}"
            f" urgent {self.plain_urgent} report {self.plain_report}/{self.plain_total}  other "
            f"ordinary: emergency {self.other_emergency} any alarm {self.other_alarm}/"
            f"{self.other_total}"
        )


def score(readings: List[Tuple], model, layers: Optional[set] = None) -> Score:
    from bot.nlu.triage.assessment import decide

    s = Score()
    for expected, category, _, units in readings:
        decision = decide(units, model)
        votes = [v for v in decision.votes if layers is None or v.layer in layers]
        level = max((v.level for v in votes), key=lambda x: x == "emergency", default=None)
        if expected == "emergency":
            s.emergency_total += 1
            s.emergency += level == "emergency"
        elif expected == "urgent":
            s.urgent_total += 1
            s.urgent += level is not None
        elif category == PLAIN:
            s.plain_total += 1
            s.plain_emergency += level == "emergency"
            s.plain_urgent += level == "urgent"
            s.plain_report += level is None and decision.back_pain_report
        else:
            s.other_total += 1
            s.other_emergency += level == "emergency"
            s.other_alarm += level is not None
    return s


def search(readings: List[Tuple], model, top: int) -> List[Tuple[Score, Dict]]:
    base = model.thresholds
    results = []
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        settings = dict(zip(names, values))
        trial = replace(model, thresholds=replace(base, **settings))
        results.append((score(readings, trial), settings))
    results.sort(key=lambda r: r[0].key(), reverse=True)
    return results[:top]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    agent, guard = loaded_guard(args.model)
    model = guard.assessor.model
    readings = readings_of(agent, guard, tuning_messages())
    print(f"{len(readings)} tuning messages; thresholds now:")
    print(
        "  "
        + ", ".join(
            f"{f.name}={getattr(model.thresholds, f.name)}" for f in fields(model.thresholds)
        )
    )
    print("  " + score(readings, model).line())
    for layer in ("rules", "semantic", "classifier"):
        print(f"  {layer:10} alone: {score(readings, model, {layer}).line()}")
    print("best on the tuning files:")
    for result, settings in search(readings, model, args.top):
        print(f"  {'safe' if result.safe() else 'UNSAFE'} {settings}\n      {result.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
