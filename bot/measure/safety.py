"""How the safety check does on messages nobody here tuned to: per category and per layer.

Reads a file of messages labelled emergency, urgent or none (by category), parses each with the
trained model and reports: emergencies that got the emergency answer, urgent messages that got
care (urgent or emergency), and ordinary messages that got an alarm; the same for each layer
alone (rules, semantic, classifier), after the context has set its votes aside.

Run: python -m bot.measure.safety [--model M] [--file tests/heldout/safety_messages.yml] [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.measure.heldout import Parse, predicted_label, saved_model_parser
from bot.shared.project import SOURCE_ROOT

HELDOUT_SAFETY = SOURCE_ROOT / "tests" / "heldout" / "safety_messages.yml"
LAYERS = ("rules", "semantic", "classifier")
EXPECTED_LEVELS = ("emergency", "urgent", "none")


PLAIN_BACK_PAIN = "plain_back_pain"
# What helps a plain statement of back pain: the back-pain answer, or an FAQ answer.
HELPFUL_FOR_BACK_PAIN = ("back_pain_report", "faq/")


@dataclass
class Outcome:
    expected: str
    category: str
    text: str
    level: Optional[str]
    layer_levels: Dict[str, Optional[str]]
    answer: str = ""

    @property
    def helped(self) -> bool:
        return self.answer.startswith(HELPFUL_FOR_BACK_PAIN)

    @property
    def correct(self) -> bool:
        if self.expected == "emergency":
            return self.level == "emergency"
        if self.expected == "urgent":
            return self.level in ("urgent", "emergency")
        return self.level is None


def strongest(levels: List[str]) -> Optional[str]:
    return "emergency" if "emergency" in levels else ("urgent" if levels else None)


def outcome_of(expected: str, category: str, text: str, parsed: Dict) -> Outcome:
    safety = parsed.get("safety") or {}
    answer = predicted_label(parsed)
    level = answer if answer in ("emergency", "urgent") else None
    by_layer: Dict[str, List[str]] = defaultdict(list)
    for vote in safety.get("votes", []):
        by_layer[vote["layer"]].append(vote["level"])
    return Outcome(
        expected,
        category,
        text,
        level,
        {layer: strongest(by_layer[layer]) for layer in LAYERS},
        answer,
    )


def load_messages(path: Path) -> List[Tuple[str, str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (level, category, text)
        for level in EXPECTED_LEVELS
        for category, texts in (raw.get(level) or {}).items()
        for text in texts or []
    ]


def measure(parse: Parse, messages: List[Tuple[str, str, str]]) -> List[Outcome]:
    return [outcome_of(level, category, text, parse(text)) for level, category, text in messages]


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def __str__(self) -> str:
        share = self.hits / self.total if self.total else 0.0
        return f"{self.hits}/{self.total} ({share:.0%})"


@dataclass
class SafetyFigures:
    emergency: Rate = field(default_factory=Rate)  # got the emergency answer
    urgent: Rate = field(default_factory=Rate)  # got urgent or emergency care
    false_alarms: Rate = field(default_factory=Rate)
    by_category: Dict[Tuple[str, str], Rate] = field(default_factory=dict)
    by_layer: Dict[str, Dict[str, Rate]] = field(default_factory=dict)
    # Plain statements of back pain: alarms raised, and replies that helped.
    plain_emergency: Rate = field(default_factory=Rate)
    plain_urgent: Rate = field(default_factory=Rate)
    plain_helped: Rate = field(default_factory=Rate)


def layer_correct(expected: str, level: Optional[str]) -> bool:
    if expected == "emergency":
        return level == "emergency"
    if expected == "urgent":
        return level is not None
    return level is not None  # counted as a false alarm


def figures(outcomes: List[Outcome]) -> SafetyFigures:
    result = SafetyFigures()
    result.by_layer = {layer: {e: Rate() for e in EXPECTED_LEVELS} for layer in LAYERS}
    for o in outcomes:
        overall = {
            "emergency": result.emergency,
            "urgent": result.urgent,
            "none": result.false_alarms,
        }[o.expected]
        overall.total += 1
        overall.hits += o.correct if o.expected != "none" else not o.correct
        if o.category == PLAIN_BACK_PAIN:
            for plain, hit in (
                (result.plain_emergency, o.level == "emergency"),
                (result.plain_urgent, o.level == "urgent"),
                (result.plain_helped, o.helped),
            ):
                plain.total += 1
                plain.hits += hit
        rate = result.by_category.setdefault((o.expected, o.category), Rate())
        rate.total += 1
        rate.hits += o.correct
        for layer in LAYERS:
            layer_rate = result.by_layer[layer][o.expected]
            layer_rate.total += 1
            layer_rate.hits += layer_correct(o.expected, o.layer_levels[layer])
    return result


def report_lines(result: SafetyFigures) -> List[str]:
    lines = [
        f"emergencies that got the emergency answer: {result.emergency}",
        f"urgent messages that got care (urgent or emergency): {result.urgent}",
        f"ordinary messages that got an alarm (false alarms): {result.false_alarms}",
        f"plain back pain: emergency answers {result.plain_emergency}, urgent answers "
        f"{result.plain_urgent}, helped (back-pain answer or an FAQ) {result.plain_helped}",
        "",
        "per category (right answer):",
    ]
    lines += [
        f"  {expected:9} {category:26} {rate}"
        for (expected, category), rate in sorted(result.by_category.items())
    ]
    lines += ["", "per layer alone (emergency recall, urgent given care, false alarms):"]
    for layer, rates in result.by_layer.items():
        lines.append(f"  {layer:10} {rates['emergency']}  {rates['urgent']}  {rates['none']}")
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--file", type=Path, default=HELDOUT_SAFETY)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    outcomes = measure(saved_model_parser(args.model), load_messages(args.file))
    print("\n".join(report_lines(figures(outcomes))))
    if args.verbose:
        for o in outcomes:
            if not o.correct:
                layers = " ".join(f"{k}={v or '-'}" for k, v in o.layer_levels.items())
                print(
                    f"MISS {o.expected}/{o.category} got {o.level or 'none'} [{layers}]: "
                    f"{o.text[:160]}"
                )
            elif o.category == PLAIN_BACK_PAIN and not o.helped:
                print(f"UNHELPED plain back pain got {o.answer}: {o.text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
