"""`make report`: how well the assistant understands visitors, per topic, and the regression gate.

Two measurements, per intent and FAQ topic (precision, recall, F1, the most confused pairs):
- cross-validation on the training data (train on part, test on the rest, k times);
- the held-out questions (tests/heldout/questions.yml and every blind visitor-questions file,
  tests/heldout/visitor_questions*.yml), never trained on.
The held-out F1 of each topic is compared with the committed baseline: a topic that falls more
than the margin below it fails the gate (`make test` runs the same gate).

Run: python -m bot.staff.report [--model M] [--folds K] [--out DIR] [--gate-only] [--save-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.measure.heldout import FALLBACK, Parse, load_heldout, predicted_label, saved_model_parser
from bot.measure.visitor_questions import HELDOUT_VISITOR_QUESTIONS, NOT_COVERED, load_questions
from bot.shared import names
from bot.shared.project import SOURCE_ROOT

ROOT = SOURCE_ROOT
BASELINE_FILE = ROOT / "tests" / "heldout" / "baseline.yml"
DEFAULT_MARGIN = 0.15
CV_RANDOM_STATE = 42
OUT_OF_SCOPE = names.OUT_OF_SCOPE

Pair = Tuple[str, str]  # (expected label, predicted label)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


# ---------------------------------------------------------------- measuring


def as_label(predicted: str) -> str:
    # The fallback and out_of_scope both mean "not answered from the article": one label.
    return OUT_OF_SCOPE if predicted == FALLBACK else predicted


def heldout_questions() -> List[Pair]:
    """(label, question) from the held-out files: the first questions, and every file of real
    visitors' wording with the questions no topic answers (label `not_covered`)."""
    heldout = load_heldout()
    questions = [(f"faq/{topic}", q) for topic, qs in heldout["faq"].items() for q in qs or []]
    questions += [(intent, q) for intent, qs in heldout["other"].items() for q in qs or []]
    for path in sorted(HELDOUT_VISITOR_QUESTIONS.parent.glob("visitor_questions*.yml")):
        questions += [(label, q) for label, _, q in load_questions(path)]
    return questions


def heldout_pairs(parse: Parse, questions: Optional[List[Pair]] = None) -> List[Pair]:
    questions = questions if questions is not None else heldout_questions()
    return [(expected, as_label(predicted_label(parse(text)))) for expected, text in questions]


def scores(pairs: Sequence[Pair]) -> Dict[str, Score]:
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted({expected for expected, _ in pairs})
    expected, predicted = zip(*pairs)
    p, r, f, s = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    return {
        label: Score(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
        for i, label in enumerate(labels)
    }


def most_confused(pairs: Sequence[Pair], top: int = 10) -> List[Tuple[str, str, int]]:
    mistakes = Counter((e, p) for e, p in pairs if e != p)
    return [(e, p, n) for (e, p), n in mistakes.most_common(top)]


def accuracy(pairs: Sequence[Pair]) -> float:
    return sum(e == p for e, p in pairs) / max(len(pairs), 1)


def load_training_data(root: Path):
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = sorted((root / "data" / "nlu").glob("*.yml")) + sorted(
        (root / "data" / "responses").glob("*.yml")
    )
    return TrainingData().merge(*[load_data(str(f)) for f in files])


def cross_validation_pairs(root: Path, folds: int) -> List[Pair]:
    """Trains `folds` NLU models, each tested on the examples it did not see."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_training_data(root)
    examples = data.intent_examples
    labels = [e.get_full_intent() for e in examples]
    pairs: List[Pair] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=CV_RANDOM_STATE)
    with tempfile.TemporaryDirectory() as workdir:
        for fold, (train_index, test_index) in enumerate(splitter.split(examples, labels), 1):
            print(f"Cross-validation: training fold {fold} of {folds}...", flush=True)
            train = TrainingData(
                training_examples=[examples[i] for i in train_index], responses=data.responses
            )
            train_file = Path(workdir) / f"fold{fold}.yml"
            train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
            model = train_nlu(
                str(root / "config.yml"),
                str(train_file),
                workdir,
                fixed_model_name=f"fold{fold}",
                domain=str(root / "domain.yml"),
            )
            agent = Agent.load(model)
            for i in test_index:
                parsed = asyncio.run(agent.parse_message(examples[i].get("text")))
                pairs.append((labels[i], as_label(predicted_label(parsed))))
    return pairs


# ---------------------------------------------------------------- the baseline and the gate


def load_baseline(path: Path = BASELINE_FILE) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def save_baseline(
    heldout: Dict[str, Score], path: Path = BASELINE_FILE, margin: float = DEFAULT_MARGIN
) -> None:
    body = {
        "margin": margin,
        "measured": date.today().isoformat(),
        "heldout_f1": {label: round(score.f1, 3) for label, score in sorted(heldout.items())},
    }
    header = (
        "# Held-out F1 per topic when this baseline was saved "
        "(python -m bot.staff.report --save-baseline).\n"
        "# make test fails when a topic falls more than `margin` below its figure here.\n"
    )
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def gate_failures(
    current: Dict[str, Score], baseline: Dict[str, Any], pairs: Sequence[Pair] = ()
) -> List[str]:
    """One plain message per topic whose held-out F1 fell more than the margin below baseline."""
    margin = float(baseline.get("margin", DEFAULT_MARGIN))
    failures = []
    for label, before in sorted(baseline["heldout_f1"].items()):
        now = current.get(label)
        f1 = now.f1 if now else 0.0
        if before - f1 > margin:
            confused = [f"{p} ({n}x)" for e, p, n in most_confused(pairs, top=50) if e == label][:3]
            failures.append(
                f"{label}: held-out F1 fell to {f1:.2f} from its baseline {before:.2f} "
                f"(allowed drop {margin:.2f})."
                + (f" Its questions were taken for: {', '.join(confused)}." if confused else "")
                + " Look at recent changes to this topic's examples and to the topics it is "
                "confused with."
            )
    return failures


# ---------------------------------------------------------------- writing the report


def table(heldout: Dict[str, Score], cross_validated: Dict[str, Score]) -> List[str]:
    lines = [
        "| topic | held-out P | R | F1 | n | cross-val F1 | n |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label in sorted(set(heldout) | set(cross_validated)):
        held, cv = heldout.get(label), cross_validated.get(label)
        held_cells = (
            f"{held.precision:.2f} | {held.recall:.2f} | {held.f1:.2f} | {held.support}"
            if held
            else "– | – | – | 0"
        )
        cv_cells = f"{cv.f1:.2f} | {cv.support}" if cv else "– | –"
        lines.append(f"| {label} | {held_cells} | {cv_cells} |")
    return lines


def markdown(heldout: List[Pair], cv: List[Pair], failures: List[str], folds: int) -> str:
    held_scores, cv_scores = scores(heldout), scores(cv) if cv else {}
    lines = [
        "# How well the assistant understands visitors",
        "",
        f"- Held-out questions (never trained on): {len(heldout)}, "
        f"accuracy {accuracy(heldout):.1%}.",
    ]
    if cv:
        lines.append(
            f"- Cross-validation ({folds} folds over {len(cv)} training examples): "
            f"accuracy {accuracy(cv):.1%}."
        )
    honest = held_scores.get(NOT_COVERED)
    if honest:
        lines.append(
            f'- The honest answer (`{NOT_COVERED}`, "I don\'t have information on that"): '
            f"precision {honest.precision:.0%} (of the questions that got it, the share no topic "
            f"answers), recall {honest.recall:.0%} (of the questions no topic answers, the share "
            f"that got it), over {honest.support} such questions."
        )
    lines += [
        "- `out_of_scope` includes questions the assistant asked to rephrase (the fallback).",
        "",
        "## Regression gate",
        "",
    ]
    lines += [f"- FAILED {f}" for f in failures] or [
        "Every topic is within its margin of the baseline."
    ]
    lines += [
        "",
        "## Per topic",
        "",
        *table(held_scores, cv_scores),
        "",
        "## Most confused pairs",
        "",
    ]
    for name, pairs in (("held-out", heldout), ("cross-validation", cv)):
        for expected, predicted, count in most_confused(pairs):
            lines.append(f"- {name}: {expected} taken for {predicted}, {count}x")
    return "\n".join(lines) + "\n"


def chart(heldout: Dict[str, Score], cv: Dict[str, Score], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(heldout) | set(cv))
    positions = range(len(labels))
    figure, axes = plt.subplots(figsize=(8, 0.32 * len(labels) + 1.2))
    axes.barh(
        [p + 0.2 for p in positions],
        [heldout[k].f1 if k in heldout else 0 for k in labels],
        height=0.4,
        label="held-out",
    )
    if cv:
        axes.barh(
            [p - 0.2 for p in positions],
            [cv[k].f1 if k in cv else 0 for k in labels],
            height=0.4,
            label="cross-validation",
        )
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_xlabel("F1")
    axes.set_title("How well each topic is recognised (F1, 1 is best)", fontsize=10)
    axes.invert_yaxis()
    axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# ---------------------------------------------------------------- command line


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Per-topic accuracy report and regression gate.")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the project whose training data to cross-validate"
    )
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--baseline", type=Path, default=BASELINE_FILE)
    parser.add_argument(
        "--gate-only", action="store_true", help="held-out gate only, no cross-validation"
    )
    parser.add_argument(
        "--save-baseline", action="store_true", help="make today's held-out F1 the baseline"
    )
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"No trained model at {args.model}: run `make train` first.")
        return 1
    heldout = heldout_pairs(saved_model_parser(args.model))
    held_scores = scores(heldout)
    if args.save_baseline:
        save_baseline(held_scores, args.baseline)
        print(f"Baseline saved to {args.baseline}.")
    failures = gate_failures(held_scores, load_baseline(args.baseline), heldout)
    if not args.gate_only:
        cv = cross_validation_pairs(args.root, args.folds) if args.folds > 1 else []
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "nlu-report.md").write_text(
            markdown(heldout, cv, failures, args.folds), encoding="utf-8"
        )
        chart(held_scores, scores(cv) if cv else {}, args.out / "nlu-report.png")
        print(f"Report written to {args.out / 'nlu-report.md'} and {args.out / 'nlu-report.png'}.")
    print(f"Held-out accuracy {accuracy(heldout):.1%} over {len(heldout)} questions.")
    for failure in failures:
        print(f"REGRESSION {failure}")
    print(
        "Regression gate: "
        + ("FAILED." if failures else "every topic is within its margin of the baseline.")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
