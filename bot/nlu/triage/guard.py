"""The pipeline's triage component: emergencies and urgent care first, then back-pain reports.

It reads the whole message (also past the 1,000 characters the classifiers see) through
assessment.py and sets the intent to `emergency` or `urgent` when any unit calls for care,
whatever else the message asks, or to `back_pain_report` when it plainly reports back pain. A
classifier's `emergency`, `urgent` or `back_pain_report` that triage does not support gives way
to the next intent. A message without a letter, or whose words are mostly unknown (gibberish),
gets zero confidence so that the FallbackClassifier after this component asks to rephrase.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import TrainedComponent
from bot.nlu.triage.assessment import (
    EMERGENCY,
    SUICIDE_CATEGORY,
    URGENT,
    CareAssessor,
    CareDecision,
    Thresholds,
    TriageModel,
)
from bot.nlu.triage.bank import TRIAGE_FOLDER, RedFlagBank, care_levels, digest, needs_one_of
from bot.nlu.triage.classifier import SentenceClassifier
from bot.nlu.triage.examples import TRIAGE_DATA
from bot.nlu.triage.rules import RuleBook
from bot.nlu.triage.training import build_triage
from bot.shared import names
from bot.shared.metadata import FULL_TEXT
from bot.shared.names import CONDITION_ENTITY, NEGATED_CONDITION_ENTITY

CARE_KIND_ENTITY = names.CARE_KIND
FOR_SOMEONE_ELSE = "_for_someone_else"
BACK_PAIN_REPORT = names.BACK_PAIN_REPORT
TRIAGE_INTENTS = (EMERGENCY, URGENT, BACK_PAIN_REPORT)
SAFETY_OUTPUT = "safety"
# A checklist answer is an answer, even when it mentions back pain ("yes, and my back hurts").
ANSWER_INTENTS = (names.AFFIRM, names.DENY, names.UNSURE)


def has_words(text: str) -> bool:
    """False for messages of only numbers, emoji or punctuation."""
    return any(ch.isalpha() for ch in text)


def known_word_ratio(message: Message, featurizer: str) -> float:
    """Share of the message's word tokens that the word featurizer saw in training."""
    sequence = message.get_sparse_features(TEXT, featurizers=[featurizer])[0]
    if sequence is None:
        return 1.0
    rows = sequence.features.tocsr()
    tokens = list(message.get("text_tokens") or [])
    if tokens and len(tokens) == rows.shape[0]:
        counted = [i for i, t in enumerate(tokens) if any(ch.isalpha() for ch in t.text)]
    else:
        counted = list(range(rows.shape[0]))
    if not counted:
        return 1.0
    return sum(rows[i].nnz > 0 for i in counted) / len(counted)


def whole_text(message: Message) -> str:
    """The message's whole text: the channel keeps a long message's rest in its metadata."""
    text = message.get(TEXT) or ""
    metadata = message.get(METADATA) or {}
    full = metadata.get(FULL_TEXT) if isinstance(metadata, dict) else None
    return full if isinstance(full, str) and full.startswith(text) else text


def condition_spans(message: Message) -> List[Tuple[int, int]]:
    """Where the message talks of a checklist condition, had or denied (not an age)."""
    return [
        (e.get("start", 0), e.get("end", 0))
        for e in message.get(ENTITIES) or []
        if e.get("entity") in (CONDITION_ENTITY, NEGATED_CONDITION_ENTITY)
        and e.get("value") != "under_18"
    ]


def sentence_vector(message: Message) -> Optional[np.ndarray]:
    dense = message.get_dense_features(TEXT)[1]
    return dense.features[0] if dense is not None else None


def encode_with_shared_encoder(texts: List[str]) -> np.ndarray:
    from bot.nlu.minilm import shared_encoder

    return shared_encoder().encode(texts)


def encode_for_training(texts: List[str]) -> np.ndarray:
    from bot.nlu.minilm import training_encoder

    return training_encoder().encode(texts)


def triage_fingerprint() -> str:
    """The rules, words, bank, training examples and how messages are cut into sentences: an
    edit to any of them retrains triage."""
    from bot.shared import text

    return digest([TRIAGE_FOLDER, TRIAGE_DATA, Path(text.__file__)])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyIntentGuard(TrainedComponent, IntentClassifier):
    """Sets `emergency`, `urgent` or `back_pain_report` (see the module's doc)."""

    may_load_untrained = True  # an NLU-less model has nothing for it to read

    @classmethod
    def required_components(cls) -> List[Type]:
        # Tokens and word counts give the share of known words; the vector feeds the learned layers.
        return [Tokenizer, SparseFeaturizer, DenseFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        thresholds = {f.name: f.default for f in fields(Thresholds)}
        return {
            **thresholds,
            "classifier_C": 16.0,
            "random_state": 42,
            "word_featurizer": "word_counts",
            "min_known_words": 0.34,
            "triage_sha256": triage_fingerprint(),
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        bank: Optional[RedFlagBank] = None,
        classifier: Optional[SentenceClassifier] = None,
        encode=encode_with_shared_encoder,
        rules: Optional[RuleBook] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._encode = encode
        thresholds = Thresholds(**{f.name: config[f.name] for f in fields(Thresholds)})
        model = TriageModel(
            rules or RuleBook.load(), bank, classifier, care_levels(), thresholds, needs_one_of()
        )
        self._assessor = CareAssessor(model, encode)
        self._word_featurizer = config["word_featurizer"]
        self._min_known_words = float(config["min_known_words"])

    def train(self, training_data: TrainingData) -> Resource:
        model = self._assessor.model
        encode = encode_for_training if self._encode is encode_with_shared_encoder else self._encode
        bank, classifier = build_triage(
            training_data,
            encode,
            C=float(self._config["classifier_C"]),
            seed=int(self._config["random_state"]),
        )
        model.bank, model.classifier = bank, classifier
        return self.persist()

    def save(self, folder: Path) -> None:
        self._assessor.model.bank.save(folder)
        self._assessor.model.classifier.save(folder)

    @classmethod
    def read(cls, folder: Path) -> Dict[str, Any]:
        return {"bank": RedFlagBank.load(folder), "classifier": SentenceClassifier.load(folder)}

    @property
    def assessor(self) -> CareAssessor:
        return self._assessor

    def assess(self, message: Message) -> CareDecision:
        return self._assessor.assess(
            whole_text(message), sentence_vector(message), condition_spans(message)
        )

    def process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        ranking: List[Dict[str, Any]] = list(message.get(INTENT_RANKING_KEY) or [])
        decision = self.assess(message)
        top_intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if decision.back_pain_report and top_intent in ANSWER_INTENTS:
            decision.back_pain_report = False
        message.set(SAFETY_OUTPUT, decision.as_output(), add_to_output=True)
        chosen = decision.level or (BACK_PAIN_REPORT if decision.back_pain_report else None)
        rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in TRIAGE_INTENTS]
        if chosen:
            top = {INTENT_NAME_KEY: chosen, PREDICTED_CONFIDENCE_KEY: 1.0}
            # Halved, so a confident second intent (a booking in the same message) can never
            # look like a tie to the FallbackClassifier and turn the answer into "rephrase".
            halved = [
                {**r, PREDICTED_CONFIDENCE_KEY: r.get(PREDICTED_CONFIDENCE_KEY, 0.0) / 2}
                for r in rest
            ]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + halved, add_to_output=True)
            self._add_care_kind(message, decision, chosen, len(whole_text(message)))
            return
        if rest != ranking:  # the classifier's triage intents were not supported: the next one
            total = sum(r.get(PREDICTED_CONFIDENCE_KEY, 0.0) for r in rest) or 1.0
            rest = [
                {**r, PREDICTED_CONFIDENCE_KEY: r.get(PREDICTED_CONFIDENCE_KEY, 0.0) / total}
                for r in rest
            ]
            message.set(
                INTENT,
                dict(rest[0]) if rest else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                add_to_output=True,
            )
            message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
        if not has_words(text) or known_word_ratio(message, self._word_featurizer) < (
            self._min_known_words
        ):
            intent = message.get(INTENT) or {}
            message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)

    @staticmethod
    def _add_care_kind(message: Message, decision: CareDecision, chosen: str, length: int) -> None:
        # The answer's wording is chosen by this (utter_emergency, utter_urgent and
        # utter_back_pain_report are each worded for the visitor or for the person helping).
        if chosen == EMERGENCY:
            kind = "suicide" if decision.category == SUICIDE_CATEGORY else "medical"
        else:
            kind = URGENT if chosen == URGENT else "back_pain"
        if decision.for_someone_else:
            kind += FOR_SOMEONE_ELSE
        entity = {
            "entity": CARE_KIND_ENTITY,
            "value": kind,
            "start": 0,
            "end": length,
            "extractor": SafetyIntentGuard.__name__,
        }
        message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
