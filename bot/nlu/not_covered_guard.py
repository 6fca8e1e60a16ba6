"""The open-set decision: an FAQ answer only when a topic truly fits, else "I don't have that".

The FAQ selector always names its best topic; for a question the catalogue does not cover,
that is a neighbour that does not answer it. This component turns the `faq` intent into
`not_covered` when the best topic is not clearly the one: its probability is low, the second
topic is nearly as likely, or the question is far from every training example of that topic
(cosine similarity of the sentence vectors). Each check can be switched off with 0. The
intent classifier also learns `not_covered` from varied out-of-catalogue questions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import TrainedComponent
from bot.nlu.triage.guard import SAFETY_OUTPUT
from bot.shared import names
from bot.shared.open_set import OPEN_SET as OPEN_SET_OUTPUT

NOT_COVERED_INTENT = names.NOT_COVERED
FALLBACK_INTENT = names.NLU_FALLBACK


def asks(message: Message) -> bool:
    """Triage saw a question in the message (bot/nlu/triage/guard.py)."""
    return bool((message.get(SAFETY_OUTPUT) or {}).get("asks"))


def unit_sentence_vector(message: Message) -> Optional[np.ndarray]:
    dense = message.get_dense_features(TEXT)[1]
    if dense is None:
        return None
    vector = np.asarray(dense.features[0], dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NotCoveredGuard(TrainedComponent, IntentClassifier):
    may_load_untrained = True  # an NLU-less model has nothing for it to read

    @classmethod
    def required_components(cls) -> List[Type]:
        return [DenseFeaturizer]  # the sentence vector, compared with the topic's own examples

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": names.FAQ,
            # Intents that may carry a question besides their own (a back-pain report with
            # "can cryo help?"): the topic is judged the same way, the intent is kept.
            "judge_question_of": [names.BACK_PAIN_REPORT],
            "min_topic_confidence": 0.0,
            "min_margin": 0.0,
            "min_example_similarity": 0.0,
            # Unsure between an FAQ and another intent (the fallback's ambiguity), a topic this
            # sure answers it: better than asking to rephrase. 0 switches it off.
            "fallback_faq_at_least": 0.0,
            "fallback_topic_at_least": 0.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        vectors: Optional[np.ndarray] = None,
        topics: Optional[List[str]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._vectors = vectors
        self._topics = np.array(topics or [])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(INTENT) == self._config["retrieval_intent"] and m.get(INTENT_RESPONSE_KEY)
        ]
        pairs = [(unit_sentence_vector(m), m.get(INTENT_RESPONSE_KEY)) for m in examples]
        pairs = [(v, topic) for v, topic in pairs if v is not None]
        self._vectors = np.stack([v for v, _ in pairs]) if pairs else np.zeros((0, 1), np.float32)
        self._topics = np.array([topic for _, topic in pairs])
        return self.persist()

    def save(self, folder: Path) -> None:
        np.save(folder / "example_vectors.npy", self._vectors)
        (folder / "example_topics.json").write_text(
            json.dumps(self._topics.tolist()), encoding="utf-8"
        )

    @classmethod
    def read(cls, folder: Path) -> Dict[str, Any]:
        return {
            "vectors": np.load(folder / "example_vectors.npy"),
            "topics": json.loads((folder / "example_topics.json").read_text(encoding="utf-8")),
        }

    def process_message(self, message: Message) -> None:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent == FALLBACK_INTENT and self._answers_the_ambiguity(message):
            intent = self._config["retrieval_intent"]
        if intent == self._config["retrieval_intent"]:
            self._decide(message)
        elif intent in self._config["judge_question_of"] and asks(message):
            signals = self.signals(message)
            if signals is not None:
                covered = self.covered(signals)
                message.set(OPEN_SET_OUTPUT, {**signals, "covered": covered}, add_to_output=True)

    def _answers_the_ambiguity(self, message: Message) -> bool:
        """The fallback was unsure between the FAQ and another intent, and one topic is sure:
        the message becomes the FAQ question (the open-set checks still apply)."""
        faq_floor = self._config["fallback_faq_at_least"]
        topic_floor = self._config["fallback_topic_at_least"]
        ranking = message.get(INTENT_RANKING_KEY) or []
        faq = next(
            (r for r in ranking if r.get(INTENT_NAME_KEY) == self._config["retrieval_intent"]),
            None,
        )
        signals = self.signals(message)
        if not faq_floor or not topic_floor or faq is None or signals is None:
            return False
        if faq.get(PREDICTED_CONFIDENCE_KEY, 0.0) < faq_floor:
            return False
        if signals["confidence"] < topic_floor:
            return False
        top = {
            INTENT_NAME_KEY: faq[INTENT_NAME_KEY],
            PREDICTED_CONFIDENCE_KEY: faq[PREDICTED_CONFIDENCE_KEY],
        }
        rest = [
            r
            for r in ranking
            if r.get(INTENT_NAME_KEY) not in (FALLBACK_INTENT, top[INTENT_NAME_KEY])
        ]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top] + rest, add_to_output=True)
        return True

    def signals(self, message: Message) -> Optional[Dict[str, Any]]:
        """The best topic, its probability, its lead over the second, its closest example."""
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(
            self._config["retrieval_intent"]
        ) or {}
        ranking = selected.get("ranking") or []
        if not ranking:
            return None
        topic = ranking[0].get(INTENT_RESPONSE_KEY)
        confidence = float(ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0))
        second = float(ranking[1].get(PREDICTED_CONFIDENCE_KEY, 0.0)) if len(ranking) > 1 else 0.0
        vector = unit_sentence_vector(message)
        similarity = 1.0
        if vector is not None and self._vectors is not None and len(self._topics):
            own = self._vectors[self._topics == topic]
            similarity = float((own @ vector).max()) if len(own) else 0.0
        return {
            "topic": topic,
            "confidence": round(confidence, 4),
            "margin": round(confidence - second, 4),
            "similarity": round(similarity, 4),
        }

    def covered(self, signals: Dict[str, Any]) -> bool:
        return (
            signals["confidence"] >= self._config["min_topic_confidence"]
            and signals["margin"] >= self._config["min_margin"]
            and signals["similarity"] >= self._config["min_example_similarity"]
        )

    def _decide(self, message: Message) -> None:
        signals = self.signals(message)
        if signals is None:
            return
        covered = self.covered(signals)
        message.set(OPEN_SET_OUTPUT, {**signals, "covered": covered}, add_to_output=True)
        if covered:
            return
        top = {INTENT_NAME_KEY: NOT_COVERED_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        rest = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) != NOT_COVERED_INTENT
        ]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top] + rest, add_to_output=True)
