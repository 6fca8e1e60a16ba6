"""The guard that keeps the intent classifier safe on emergencies and gibberish."""

from __future__ import annotations

from typing import Any, Dict, List, Text

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
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.emergency_check import emergency_kind

EMERGENCY_INTENT = "emergency"
EMERGENCY_KIND_ENTITY = "emergency_kind"


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyIntentGuard(GraphComponent, IntentClassifier):
    """Corrects the intent classifier on the two things it must not get wrong.

    A message that the deterministic phrase check calls an emergency becomes
    `emergency` whatever the classifier said; a classifier-only `emergency`
    below `min_emergency_confidence` gives way to the next intent (false alarms
    frighten people). A message without a single letter, or whose words are
    mostly unknown (gibberish), gets zero confidence so the FallbackClassifier
    after this component asks the user to rephrase.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "min_emergency_confidence": 0.5,
            "word_featurizer": "word_counts",
            "min_known_words": 0.34,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._min_emergency_confidence = float(config["min_emergency_confidence"])
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
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        ranking: List[Dict[str, Any]] = list(message.get(INTENT_RANKING_KEY) or [])
        kind = emergency_kind(text)
        if kind:
            top = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + rest, add_to_output=True)
        elif (
            not has_words(text)
            or known_word_ratio(message, self._word_featurizer) < self._min_known_words
        ):
            message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
        elif (
            intent.get(INTENT_NAME_KEY) == EMERGENCY_INTENT
            and intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) < self._min_emergency_confidence
        ):
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT]
            if rest:
                message.set(INTENT, dict(rest[0]), add_to_output=True)
                message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == EMERGENCY_INTENT:
            # The emergency answer is chosen by this entity (see utter_emergency).
            entity = {
                "entity": EMERGENCY_KIND_ENTITY,
                "value": kind or "general",
                "start": 0,
                "end": len(text),
                "extractor": type(self).__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
