"""A logistic regression over the scaled row bot.nlu.scaled_features leaves on each message.

The base of the intent classifier and the FAQ selector: each subclass says which training
examples it learns from and which labels it predicts; both read the same row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import vstack

from bot.nlu.component import TrainedComponent
from bot.nlu.scaled_features import SCALED_FEATURES, ScaledSentenceFeaturizer


class ScaledLogisticRegression(TrainedComponent, IntentClassifier):
    """Logistic regression over the scaled row; subclasses say which examples and labels."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [ScaledSentenceFeaturizer]  # the row it reads

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "max_iter": 3000, "random_state": 42}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        model=None,
        extras: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._model = model
        self._extras = extras or {}

    def labelled_examples(self, training_data: TrainingData) -> List[Tuple[Message, str]]:
        raise NotImplementedError

    def extras_to_keep(self, training_data: TrainingData) -> Dict[str, Any]:
        """Anything besides the model that process() needs (saved as JSON)."""
        return {}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        labelled = [
            (m, label)
            for m, label in self.labelled_examples(training_data)
            if m.get(SCALED_FEATURES) is not None
        ]
        if self.labelled_examples(training_data) and not labelled:
            raise ValueError(
                f"{type(self).__name__} found no scaled features on its training examples: put "
                "bot.nlu.scaled_features.ScaledSentenceFeaturizer before it in config.yml."
            )
        if labelled:
            X = vstack([message.get(SCALED_FEATURES) for message, _ in labelled]).tocsr()
            classifier = LogisticRegression(
                C=self._config["C"],
                max_iter=self._config["max_iter"],
                random_state=self._config["random_state"],
            )
            self._model = classifier.fit(X, [label for _, label in labelled])
        self._extras = self.extras_to_keep(training_data)
        return self.persist()

    def save(self, folder: Path) -> None:
        import joblib

        joblib.dump(self._model, folder / "model.joblib")
        (folder / "extras.json").write_text(json.dumps(self._extras), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Dict[str, Any]:
        import joblib

        return {
            "model": joblib.load(folder / "model.joblib"),
            "extras": json.loads((folder / "extras.json").read_text(encoding="utf-8")),
        }

    def ranked(self, message: Message) -> List[Tuple[str, float]]:
        """Labels with their probabilities, most likely first (none for a message without text)."""
        classifier, row = self._model, message.get(SCALED_FEATURES)
        if classifier is None or row is None:
            return []
        probabilities = classifier.predict_proba(row)[0]
        return [
            (str(classifier.classes_[i]), float(probabilities[i]))
            for i in np.argsort(probabilities)[::-1]
        ]
