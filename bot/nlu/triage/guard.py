"""The guard that makes the intent safe: emergencies and urgent care first, gibberish to fallback.

It reads the whole message (also past the 1,000 characters the classifiers see) through
bot/nlu/care_assessment.py and sets the intent to `emergency` or `urgent` when any layer calls
for it, whatever else the message asks. A classifier `emergency` or `urgent` the assessment
does not support gives way to the next intent. A message without a single letter, or whose
words are mostly unknown (gibberish), gets zero confidence so the FallbackClassifier after
this component asks the user to rephrase.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
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

from bot.nlu.care_assessment import EMERGENCY, URGENT, CareAssessor, CareDecision, Thresholds
from bot.nlu.emergency_check import emergency_kind
from bot.nlu.red_flag_bank import RedFlagBank, red_flags_digest
from bot.shared.conditions import CONDITION_ENTITY, NEGATED_CONDITION_ENTITY
from bot.shared.metadata import FULL_TEXT

CARE_KIND_ENTITY = "care_kind"
FOR_SOMEONE_ELSE = "_for_someone_else"
CARE_INTENTS = (EMERGENCY, URGENT)
SAFETY_OUTPUT = "safety"


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


def encode_with_shared_encoder(texts: List[str]) -> np.ndarray:
    from bot.nlu.minilm import shared_encoder

    return shared_encoder().encode(texts)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyIntentGuard(GraphComponent, IntentClassifier):
    """Sets `emergency` or `urgent` when the message calls for care (see the module's doc)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        thresholds = {f.name: f.default for f in fields(Thresholds)}
        return {
            **thresholds,
            "word_featurizer": "word_counts",
            "min_known_words": 0.34,
            # Part of the model's fingerprint: an edited bank retrains this component.
            "red_flags_sha256": red_flags_digest(),
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        bank: Optional[RedFlagBank] = None,
        encode=encode_with_shared_encoder,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        thresholds = Thresholds(**{f.name: float(config[f.name]) for f in fields(Thresholds)})
        self._encode = encode
        self._assessor = CareAssessor(bank, encode, thresholds)
        self._word_featurizer = config["word_featurizer"]
        self._min_known_words = float(config["min_known_words"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyIntentGuard:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        bank = RedFlagBank.build(self._encode)
        with self._model_storage.write_to(self._resource) as folder:
            bank.save(folder)
        self._assessor = CareAssessor(bank, self._encode, self._assessor._thresholds)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyIntentGuard:
        try:
            with model_storage.read_from(resource) as folder:
                bank = RedFlagBank.load(folder)
        except ValueError:  # nothing was trained (an NLU-less model)
            bank = None
        return cls(config, model_storage, resource, bank)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    def assess(self, message: Message) -> CareDecision:
        dense = message.get_dense_features(TEXT)[1]
        vector = dense.features[0] if dense is not None else None
        return self._assessor.assess(
            whole_text(message),
            vector,
            message.get(INTENT_RANKING_KEY) or [],
            condition_spans(message),
        )

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        ranking: List[Dict[str, Any]] = list(message.get(INTENT_RANKING_KEY) or [])
        decision = self.assess(message)
        message.set(SAFETY_OUTPUT, decision.as_output(), add_to_output=True)
        if decision.level:
            top = {INTENT_NAME_KEY: decision.level, PREDICTED_CONFIDENCE_KEY: 1.0}
            # Halved, so a confident second intent (a booking in the same message) can never
            # look like a tie to the FallbackClassifier and turn the alarm into "rephrase".
            rest = [
                {**r, PREDICTED_CONFIDENCE_KEY: r.get(PREDICTED_CONFIDENCE_KEY, 0.0) / 2}
                for r in ranking
                if r.get(INTENT_NAME_KEY) not in CARE_INTENTS
            ]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + rest, add_to_output=True)
            self._add_care_entities(message, decision, len(whole_text(message)))
            return
        rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in CARE_INTENTS]
        if rest != ranking:  # the classifier's care intents were not supported: the next one
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

    def _add_care_entities(self, message: Message, decision: CareDecision, length: int) -> None:
        # The answer's wording is chosen by this (see utter_emergency and utter_urgent).
        kind = emergency_kind(decision.category) if decision.level == EMERGENCY else URGENT
        if decision.for_someone_else:
            kind += FOR_SOMEONE_ELSE
        entity = {
            "entity": CARE_KIND_ENTITY,
            "value": kind,
            "start": 0,
            "end": length,
            "extractor": type(self).__name__,
        }
        message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
