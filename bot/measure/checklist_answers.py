"""How the checklist reads free-text answers nobody here tuned to.

Each answer is parsed by the trained model (intent and entities, as the server would) and read
by the checklist exactly as the action server reads it. "Understood" means the value a
clinician would record (doubt counts as yes); an unsafe misread is a yes or a doubt stored
as no; "asked again" means the checklist did not take it as an answer.

Run: python -m bot.measure.checklist_answers [--model M] [--file F] [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.measure.heldout import Parse, saved_model_parser
from bot.shared.checklist_answers import checklist_reading
from bot.shared.condition_matcher import ConditionMatcher
from bot.shared.project import SOURCE_ROOT

HELDOUT_ANSWERS = SOURCE_ROOT / "tests" / "heldout" / "checklist_answers.yml"
MEANINGS = {"yes": True, "unsure": True, "no": False}


@dataclass(frozen=True)
class Reading:
    question: str
    answer: str
    means: str
    read: Optional[bool]  # None: asked again

    @property
    def understood(self) -> bool:
        return self.read is MEANINGS[self.means]

    @property
    def unsafe(self) -> bool:
        return MEANINGS[self.means] is True and self.read is False


def load_answers(path: Path) -> List[Dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]


def measure(parse: Parse, answers: List[Dict[str, str]]) -> List[Reading]:
    matcher = ConditionMatcher()
    readings = []
    for item in answers:
        intent = (parse(item["answer"]).get("intent") or {}).get("name")
        answer = checklist_reading(item["question"], item["answer"], intent, matcher)
        readings.append(
            Reading(
                item["question"], item["answer"], item["means"], answer.value if answer else None
            )
        )
    return readings


def report_lines(readings: List[Reading]) -> List[str]:
    understood = sum(r.understood for r in readings)
    unsafe = [r for r in readings if r.unsafe]
    again = sum(r.read is None for r in readings)
    by_meaning = Counter(r.means for r in readings)
    lines = [
        f"answers understood: {understood}/{len(readings)} ({understood / len(readings):.0%})",
        f"unsafe misreads (a yes or a doubt stored as no): {len(unsafe)}",
        f"asked again: {again}",
    ]
    for means, total in sorted(by_meaning.items()):
        right = sum(r.understood for r in readings if r.means == means)
        lines.append(f"  meant {means:6} {right}/{total}")
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--file", type=Path, default=HELDOUT_ANSWERS)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    readings = measure(saved_model_parser(args.model), load_answers(args.file))
    print("\n".join(report_lines(readings)))
    if args.verbose:
        for r in readings:
            if not r.understood:
                read = {True: "yes", False: "no", None: "asked again"}[r.read]
                print(
                    f"{'UNSAFE ' if r.unsafe else ''}MISS {r.question}: meant {r.means}, "
                    f"read {read}: {r.answer}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
