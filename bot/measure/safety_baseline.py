"""The committed safety figures on the held-out files, and the gate `make test` holds them to.

Run: python -m bot.measure.safety_baseline [--model M] [--save]   (--save after a deliberate change)
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List, Optional

import yaml

from bot.measure import checklist_answers, safety
from bot.measure.heldout import Parse, saved_model_parser
from bot.shared.project import SOURCE_ROOT

HELDOUT = SOURCE_ROOT / "tests" / "heldout"
BASELINE_FILE = HELDOUT / "safety_baseline.yml"


def current_figures(parse: Parse) -> Dict[str, Dict[str, int]]:
    figures: Dict[str, Dict[str, int]] = {}
    for path in sorted(HELDOUT.glob("safety_messages*.yml")):
        result = safety.figures(safety.measure(parse, safety.load_messages(path)))
        figures[path.name] = {
            "emergency": result.emergency.hits,
            "urgent": result.urgent.hits,
            "false_alarms": result.false_alarms.hits,
        }
        if result.plain_helped.total:  # the files with plain statements of back pain
            figures[path.name].update(
                {
                    "plain_back_pain_emergency": result.plain_emergency.hits,
                    "plain_back_pain_urgent": result.plain_urgent.hits,
                    "plain_back_pain_helped": result.plain_helped.hits,
                }
            )
    for path in sorted(HELDOUT.glob("checklist_answers*.yml")):
        readings = checklist_answers.measure(parse, checklist_answers.load_answers(path))
        figures[path.name] = {
            "understood": sum(r.understood for r in readings),
            "unsafe": sum(r.unsafe for r in readings),
        }
    return figures


# Higher is better for these; for false alarms and unsafe misreads, lower is.
LOWER_IS_BETTER = {"false_alarms", "unsafe", "plain_back_pain_emergency", "plain_back_pain_urgent"}


def gate_failures(
    current: Dict[str, Dict[str, int]], baseline: Dict[str, Dict[str, int]]
) -> List[str]:
    failures = []
    for name, figures in sorted(baseline.items()):
        for key, before in figures.items():
            now = current.get(name, {}).get(key)
            worse = now is None or (now > before if key in LOWER_IS_BETTER else now < before)
            if worse:
                failures.append(f"{name}: {key} is {now}, the committed baseline is {before}.")
    return failures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--save", action="store_true", help="make today's figures the baseline")
    args = parser.parse_args(argv)
    current = current_figures(saved_model_parser(args.model))
    if args.save:
        header = "# Safety figures on the held-out files (bot.measure.safety_baseline --save).\n"
        BASELINE_FILE.write_text(header + yaml.safe_dump(current, sort_keys=True), encoding="utf-8")
        print(f"Saved {BASELINE_FILE}.")
    failures = gate_failures(current, yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8")))
    print("\n".join(failures) or "Every safety figure is at least its baseline.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
