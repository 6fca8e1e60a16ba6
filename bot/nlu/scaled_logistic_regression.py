"""A logistic regression over TF-IDF-scaled word and character counts plus the sentence vector.

The base of the intent classifier and the FAQ selector: each subclass says which training
examples it learns from and which labels it predicts.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack


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

    def fit_transform(self, messages: List[Message]) -> csr_matrix:
        parts = [sentence_parts(m) for m in messages]
        sparse = vstack([p[0] for p in parts]) if parts[0][0] is not None else None
        if sparse is not None:
            self._tfidf.fit(sparse)
        return self._combine(sparse, [p[1] for p in parts])

    def transform(self, message: Message) -> csr_matrix:
        sparse, dense = sentence_parts(message)
        return self._combine(sparse, [dense])

    def _combine(self, sparse, dense_rows) -> csr_matrix:
        blocks = []
        if sparse is not None:
            blocks.append(self._tfidf.transform(sparse))
        if dense_rows and dense_rows[0] is not None:
            blocks.append(csr_matrix(np.vstack(dense_rows)))
        return hstack(blocks).tocsr()


class ScaledLogisticRegression(GraphComponent, IntentClassifier):
    """Logistic regression over ScaledFeatures; subclasses say which examples and labels."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "max_iter": 3000, "random_state": 42}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model=None,
        extras: Optional[Dict[str, Any]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._extras = extras or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScaledLogisticRegression:
        return cls(config, model_storage, resource)

    def labelled_examples(self, training_data: TrainingData) -> List[Tuple[Message, str]]:
        raise NotImplementedError

    def extras_to_keep(self, training_data: TrainingData) -> Dict[str, Any]:
        """Anything besides the model that process() needs (saved as JSON)."""
        return {}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        labelled = self.labelled_examples(training_data)
        if labelled:
            features = ScaledFeatures()
            X = features.fit_transform([message for message, _ in labelled])
            classifier = LogisticRegression(
                C=self._config["C"],
                max_iter=self._config["max_iter"],
                random_state=self._config["random_state"],
            )
            self._model = (features, classifier.fit(X, [label for _, label in labelled]))
        self._extras = self.extras_to_keep(training_data)
        import joblib

        with self._model_storage.write_to(self._resource) as folder:
            joblib.dump(self._model, folder / "model.joblib")
            (folder / "extras.json").write_text(json.dumps(self._extras), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ScaledLogisticRegression:
        import joblib

        with model_storage.read_from(resource) as folder:
            model = joblib.load(folder / "model.joblib")
            extras = json.loads((folder / "extras.json").read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, model, extras)

    def ranked(self, message: Message) -> List[Tuple[str, float]]:
        """Labels with their probabilities, most likely first."""
        features, classifier = self._model
        probabilities = classifier.predict_proba(features.transform(message))[0]
        return [
            (str(classifier.classes_[i]), float(probabilities[i]))
            for i in np.argsort(probabilities)[::-1]
        ]
