"""How the assistant does on real-style visitor questions: the right topic, or an honest
"I don't have that" for questions the catalogue does not cover.

Reads a file with `faq: {topic: [questions]}` and `not_covered: {theme: [questions]}`.
Reports topic accuracy on the covered questions, how often they got the honest answer
instead (it should be rare), and how often the not-covered ones got it (it should be most).
"Declined" counts the other answers that give no neighbouring topic: out of scope, "a
question for your doctor", or a request to rephrase.

Run: python -m bot.measure.visitor_questions [--model M] [--file F] [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.measure.heldout import Parse, predicted_label, saved_model_parser
from bot.shared import names
from bot.shared.project import SOURCE_ROOT

HELDOUT_VISITOR_QUESTIONS = SOURCE_ROOT / "tests" / "heldout" / "visitor_questions.yml"
NOT_COVERED = names.NOT_COVERED
# The honest answers where the catalogue stops: "I don't have information on that", the
# doctor for a health question, and what the article says of ice or heat at home.
HONEST = {NOT_COVERED, names.MEDICAL_ADVICE, "faq/home_ice_or_heat"}
DECLINED = HONEST | {names.OUT_OF_SCOPE, names.NLU_FALLBACK}


@dataclass(frozen=True)
class Asked:
    expected: str  # faq/<topic>, or not_covered
    theme: str
    text: str
    got: str
    open_set: Dict


def load_questions(path: Path) -> List[Tuple[str, str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    covered = [(f"faq/{topic}", topic, q) for topic, qs in raw["faq"].items() for q in qs or []]
    return covered + [
        (NOT_COVERED, theme, q) for theme, qs in raw[NOT_COVERED].items() for q in qs or []
    ]


def measure(parse: Parse, questions: List[Tuple[str, str, str]]) -> List[Asked]:
    asked = []
    for expected, theme, text in questions:
        parsed = parse(text)
        asked.append(
            Asked(expected, theme, text, predicted_label(parsed), parsed.get("open_set") or {})
        )
    return asked


@dataclass(frozen=True)
class VisitorFigures:
    topic_accuracy: float
    covered_total: int
    covered_not_covered: int  # covered questions that got the honest answer
    honest: int  # not-covered questions that got the honest answer
    declined: int  # ... or another answer that gives no neighbouring topic
    not_covered_total: int
    confusions: List[Tuple[Tuple[str, str], int]]

    def lines(self) -> List[str]:
        nc = max(self.not_covered_total, 1)
        return [
            f"topic accuracy (covered questions): {self.topic_accuracy:.1%} "
            f"of {self.covered_total}",
            f"covered questions given an honest decline instead: {self.covered_not_covered}/"
            f"{self.covered_total} ({self.covered_not_covered / max(self.covered_total, 1):.1%})",
            f"not-covered questions given an honest answer (I don't have that, the doctor, "
            f"ice or heat at home): {self.honest}/{nc} "
            f"({self.honest / nc:.1%})",
            f"not-covered questions declined in any way (honest, out of scope, doctor, rephrase): "
            f"{self.declined}/{nc} ({self.declined / nc:.1%})",
            "most confused: " + ", ".join(f"{e} -> {g} ({n})" for (e, g), n in self.confusions),
        ]


def figures(asked: List[Asked]) -> VisitorFigures:
    covered = [a for a in asked if a.expected != NOT_COVERED]
    uncovered = [a for a in asked if a.expected == NOT_COVERED]
    right = sum(a.got == a.expected for a in covered)
    confusions = Counter(
        (a.expected, a.got)
        for a in asked
        if a.got != a.expected and not (a.expected == NOT_COVERED and a.got in DECLINED)
    )
    return VisitorFigures(
        topic_accuracy=right / max(len(covered), 1),
        covered_total=len(covered),
        covered_not_covered=sum(a.got in HONEST and a.got != a.expected for a in covered),
        honest=sum(a.got in HONEST for a in uncovered),
        declined=sum(a.got in DECLINED for a in uncovered),
        not_covered_total=len(uncovered),
        confusions=confusions.most_common(12),
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--file", type=Path, default=HELDOUT_VISITOR_QUESTIONS)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    asked = measure(saved_model_parser(args.model), load_questions(args.file))
    print("\n".join(figures(asked).lines()))
    if args.verbose:
        for a in asked:
            if a.got != a.expected and not (a.expected == NOT_COVERED and a.got in DECLINED):
                print(f"MISS {a.expected} ({a.theme}) -> {a.got} {a.open_set}: {a.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
