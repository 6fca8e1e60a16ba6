"""Which way of picking the FAQ topic reaches new wording best? Measured on the tuning questions.

For every tuning visitor question (tests/tuning/visitor_questions*.yml; held-out files are never
read here) the trained model gives its topic ranking; beside it, the question's MiniLM vector is
matched against each topic's answer text, and the two are combined. Each way's per-topic
accuracy is reported, and for the deployed one the open-set decision (when the best topic is
only a neighbour, "I don't have information on that") is chosen on the same questions: most
not-covered questions declined while at most 2% of covered ones are.

Run: python -m bot.measure.faq_alternatives [--model M]
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import yaml

from bot.measure.visitor_questions import HONEST, NOT_COVERED, load_questions
from bot.shared import names
from bot.shared.project import SOURCE_ROOT

TUNING = SOURCE_ROOT / "tests" / "tuning"
ANSWERS = SOURCE_ROOT / "data" / "responses" / "faq.yml"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def answer_texts(path: Path = ANSWERS) -> Dict[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]
    return {
        name.removeprefix("utter_"): PLACEHOLDER.sub("", variants[0]["text"]).strip()
        for name, variants in raw.items()
    }


def topic_scores(parsed: Dict) -> Dict[str, float]:
    selected = (parsed.get("response_selector") or {}).get(names.FAQ) or {}
    return {r["intent_response_key"]: float(r["confidence"]) for r in selected.get("ranking") or []}


def accuracy_by_topic(rows: List[Tuple[str, str]]) -> Dict[str, Tuple[int, int]]:
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for expected, got in rows:
        counts[expected][0] += expected == got
        counts[expected][1] += 1
    return {t: (c[0], c[1]) for t, c in sorted(counts.items())}


def open_parser(model: str):
    """Parses with the model, its open-set checks switched off (they are chosen here)."""
    import asyncio

    from rasa.core.agent import Agent

    from bot.measure.heldout import quiet_rasa_logs
    from bot.nlu.not_covered_guard import NotCoveredGuard

    quiet_rasa_logs()
    agent = Agent.load(model)
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        if isinstance(node._component, NotCoveredGuard):
            node._component._config.update(
                min_topic_confidence=0.0,
                min_margin=0.0,
                min_example_similarity=0.0,
            )
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(SOURCE_ROOT / "models" / "current.tar.gz"))
    args = parser.parse_args(argv)

    from bot.nlu.minilm import shared_encoder

    parse = open_parser(args.model)
    questions = [
        q for p in sorted(TUNING.glob("visitor_questions*.yml")) for q in load_questions(p)
    ]
    answers = answer_texts()
    topics = sorted(answers)
    encoder = shared_encoder()
    answer_vectors = encoder.encode([answers[t] for t in topics])
    question_vectors = encoder.encode([text for _, _, text in questions])
    parsed = [parse(text) for _, _, text in questions]

    ways: Dict[str, List[Dict[str, float]]] = {
        "logistic regression (today)": [],
        "answer text": [],
        "combined": [],
    }
    for vector, result in zip(question_vectors, parsed):
        lr = topic_scores(result)
        similarity = dict(zip(topics, map(float, answer_vectors @ vector)))
        softened = np.exp(np.array([similarity[t] for t in topics]) * 20.0)
        text_scores = dict(zip(topics, softened / softened.sum()))
        ways["logistic regression (today)"].append(lr)
        ways["answer text"].append(text_scores)
        ways["combined"].append({t: 0.7 * lr.get(t, 0.0) + 0.3 * text_scores[t] for t in topics})
    covered = [i for i, (e, _, _) in enumerate(questions) if e != NOT_COVERED]
    print(
        f"{len(covered)} covered and {len(questions) - len(covered)} not-covered tuning questions"
    )
    for name, scores in ways.items():
        rows = [(questions[i][0], max(scores[i], key=scores[i].get)) for i in covered]
        right = sum(e == g for e, g in rows)
        print(f"\n{name}: topic accuracy {right}/{len(rows)} ({right / len(rows):.1%})")
        weak = {t: c for t, c in accuracy_by_topic(rows).items() if c[0] < c[1]}
        print(
            "  per topic (misses only): "
            + ", ".join(f"{t.removeprefix('faq/')} {c[0]}/{c[1]}" for t, c in weak.items())
        )

    # The open-set decision for the deployed way, on the pipeline's own signals.
    print("\nopen-set decision (the intent classifier's not_covered, then these checks):")
    signals = []
    for (expected, _, _), result in zip(questions, parsed):
        intent = (result.get("intent") or {}).get("name")
        scores = sorted(topic_scores(result).values(), reverse=True) + [0.0, 0.0]
        signals.append(
            (
                expected,
                intent,
                scores[0],
                scores[0] - scores[1],
                (result.get("open_set") or {}).get("similarity", 1.0),
            )
        )
    best = []
    for confidence, margin, similarity in itertools.product(
        (0.0, 0.2, 0.3, 0.4, 0.5), (0.0, 0.05, 0.1, 0.2), (0.0, 0.4, 0.5, 0.6, 0.7)
    ):
        declined_covered = honest = 0
        for expected, intent, top, lead, near in signals:
            honest_answer = intent in HONEST or (
                intent == names.FAQ and (top < confidence or lead < margin or near < similarity)
            )
            if expected == NOT_COVERED:
                honest += honest_answer
            else:
                declined_covered += honest_answer and intent != names.MEDICAL_ADVICE
        best.append(
            (
                declined_covered <= 0.02 * len(covered),
                honest,
                -declined_covered,
                (confidence, margin, similarity),
            )
        )
    best.sort(reverse=True)
    uncovered = len(questions) - len(covered)
    for ok, honest, declined, (c, m, s) in best[:6]:
        print(
            f"  {'ok' if ok else 'too many covered declined'}: min_topic_confidence={c} "
            f"min_margin={m} min_example_similarity={s}: not covered "
            "answered honestly "
            f"{honest}/{uncovered}, covered declined {-declined}/{len(covered)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
