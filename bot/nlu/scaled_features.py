"""TF-IDF-scaled word and character counts beside the sentence vector, once per message.

Both logistic regressions (intents and FAQ topics) read the row this component leaves on the
message, so the weighting and stacking are done once, not once per classifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

from bot.nlu.component import BatchFeaturizer, TrainedComponent

# The message attribute holding the row (a 1 x n sparse matrix); not part of the parse output.
SCALED_FEATURES = "scaled_sentence_features"


def sentence_parts(message: Message) -> Tuple[Optional[csr_matrix], Optional[np.ndarray]]:
    """The message's sparse (word and character counts) and dense (embedding) sentence features."""
    sparse = message.get_sparse_features(TEXT)[1]
    dense = message.get_dense_features(TEXT)[1]
    return (
        csr_matrix(sparse.features).astype(np.float64) if sparse is not None else None,
        np.asarray(dense.features, dtype=np.float64) if dense is not None else None,
    )


class ScaledFeatures:
    """TF-IDF weighting of the sparse counts, next to the dense features.

    CountVectorsFeaturizer gives raw counts; without this, common character
    n-grams ("cry", "the") outweigh the words that tell topics apart.
    """

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer

        self._tfidf = TfidfTransformer(sublinear_tf=True)

    def fit(self, messages: List[Message]) -> ScaledFeatures:
        sparse = [sentence_parts(m)[0] for m in messages]
        if sparse and sparse[0] is not None:
            self._tfidf.fit(vstack(sparse))
        return self

    def transform(
        self, parts: List[Tuple[Optional[csr_matrix], Optional[np.ndarray]]]
    ) -> csr_matrix:
        """The scaled rows of messages' `sentence_parts`, one row each."""
        blocks = []
        if parts[0][0] is not None:
            blocks.append(self._tfidf.transform(vstack([p[0] for p in parts])))
        if parts[0][1] is not None:
            blocks.append(csr_matrix(np.vstack([p[1] for p in parts])))
        return hstack(blocks).tocsr()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class ScaledSentenceFeaturizer(BatchFeaturizer, TrainedComponent):
    """Leaves the scaled row both classifiers read on every message with text."""

    @classmethod
    def required_components(cls) -> List[Type]:
        # The counts it weighs and the sentence vector it stacks beside them.
        return [SparseFeaturizer, DenseFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        features: Optional[ScaledFeatures] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._features = features

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self._features = ScaledFeatures().fit(examples) if examples else None
        return self.persist()

    def save(self, folder: Path) -> None:
        import joblib

        joblib.dump(self._features, folder / "scaled_features.joblib")

    @classmethod
    def read(cls, folder: Path) -> Dict[str, Any]:
        import joblib

        return {"features": joblib.load(folder / "scaled_features.joblib")}

    def featurize(self, messages: List[Message], training: bool) -> None:
        if self._features is None:
            return
        # Rasa stacks a message's features on every get_*_features call: read them once.
        read = [(m, sentence_parts(m)) for m in messages if m.get(TEXT)]
        read = [(m, parts) for m, parts in read if parts[0] is not None]
        if not read:
            return
        rows = self._features.transform([parts for _, parts in read])
        for i, (message, _) in enumerate(read):
            message.set(SCALED_FEATURES, rows[i])
