"""Builds triage's learned layers when the assistant is trained: the classifier and the bank.

Both learn from the same sentences: data/triage/ (care categories, back-pain reports and
ordinary messages that share their words), the clinician's descriptions in red_flags.yml, and
every other training example of the assistant as no care (FAQ questions, checklist answers,
small talk), so that neither layer alarms on what the assistant is otherwise asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import numpy as np
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.triage.bank import NOT_A_RED_FLAG, RedFlagBank, described_red_flags
from bot.nlu.triage.classifier import SentenceClassifier
from bot.nlu.triage.examples import (
    BACK_PAIN,
    NO_CARE,
    TRIAGE_DATA,
    read_examples,
    training_units,
)
from bot.shared import names

Encode = Callable[[List[str]], np.ndarray]
# Intents whose examples come from data/triage/ (the importer): triage reads them there.
FROM_TRIAGE_DATA = {names.EMERGENCY, names.URGENT, names.BACK_PAIN_REPORT}
# When one sentence is given two labels, the one that asks for more care is kept.
PRECEDENCE = {NO_CARE: 0, BACK_PAIN: 1}


def other_examples(training_data: TrainingData) -> List[Tuple[str, Optional[np.ndarray]]]:
    """The assistant's other training examples, with the sentence vector the pipeline made."""
    found = []
    for message in training_data.intent_examples:
        if message.get(INTENT) in FROM_TRIAGE_DATA or not message.get(TEXT):
            continue
        dense = message.get_dense_features(TEXT)[1]
        found.append((message.get(TEXT), dense.features[0] if dense is not None else None))
    return found


def labelled_sentences(others: Iterable[str], folder: Path = TRIAGE_DATA) -> Dict[str, str]:
    """Every training sentence and its label (a care category, back_pain or none)."""
    labels: Dict[str, str] = {}

    def add(text: str, label: str) -> None:
        text = " ".join(text.split())
        before = labels.get(text)
        if before is None or PRECEDENCE.get(label, 2) > PRECEDENCE.get(before, 2):
            labels[text] = label

    for text, category in described_red_flags():
        add(text, category or NO_CARE)
    for text, label in training_units(read_examples(folder)):
        add(text, label)
    for text in others:
        add(text, NO_CARE)
    return labels


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def vectors_for(texts: List[str], encode: Encode, known: Dict[str, np.ndarray]) -> np.ndarray:
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(zip(missing, unit_vectors(encode(missing))))
    return np.stack([known[t] for t in texts])


def build_triage(
    training_data: TrainingData,
    encode: Encode,
    C: float = 16.0,
    seed: int = 42,
    folder: Path = TRIAGE_DATA,
) -> Tuple[RedFlagBank, SentenceClassifier]:
    others = other_examples(training_data)
    known = {
        " ".join(text.split()): unit_vectors(np.atleast_2d(vector))[0]
        for text, vector in others
        if vector is not None
    }
    labels = labelled_sentences([text for text, _ in others], folder)
    return build_from_sentences(labels, encode, known, C, seed)


def build_from_sentences(
    labels: Dict[str, str],
    encode: Encode,
    known: Optional[Dict[str, np.ndarray]] = None,
    C: float = 16.0,
    seed: int = 42,
) -> Tuple[RedFlagBank, SentenceClassifier]:
    texts = list(labels)
    vectors = vectors_for(texts, encode, known if known is not None else {})
    names = [labels[t] for t in texts]
    classifier = SentenceClassifier.fit(texts, vectors, names, C=C, seed=seed)
    bank_labels = [NOT_A_RED_FLAG if n in (NO_CARE, BACK_PAIN) else n for n in names]
    return RedFlagBank(vectors, bank_labels), classifier
