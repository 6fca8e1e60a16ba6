"""Sentence features from all-MiniLM-L6-v2 (bot/nlu/minilm.py).

The model was trained for mean pooling, which Rasa's LanguageModelFeaturizer does
not do (it takes the first token), so this featurizer pools itself.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import BatchFeaturizer
from bot.nlu.minilm import MiniLMEncoder, shared_encoder, training_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(BatchFeaturizer, DenseFeaturizer, GraphComponent):
    """Adds a MiniLM sentence vector (sentence features only) to each message's text."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return []  # it encodes the raw text: no tokens needed

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Scales the unit-length vector so it weighs like the sparse features beside it.
        return {**DenseFeaturizer.get_default_config(), "scale": 2.0}

    def __init__(
        self, config: Dict[Text, Any], name: Text, encoder: Optional[MiniLMEncoder] = None
    ) -> None:
        super().__init__(name, config)
        self._scale = float(config["scale"])
        self._encoder = encoder or shared_encoder()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("SentenceEmbeddingFeaturizer: 'scale' must be positive.")

    def featurize(self, messages: List[Message], training: bool) -> None:
        # Thousands of training examples: the encoder on every core, unless a test gave its own.
        encoder = self._encoder
        if training and self._encoder is shared_encoder():
            encoder = training_encoder()
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = encoder.encode([m.get(TEXT) for m in with_text]) * self._scale
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector[None, :], TEXT, message)
