"""Intent classification by logistic regression on the same scaled features as the FAQ selector."""

from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.scaled_logistic_regression import ScaledLogisticRegression


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifierLR(ScaledLogisticRegression):
    """Intents by logistic regression, on the same scaled features as the FAQ selector."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**ScaledLogisticRegression.get_default_config(), "ranking_length": 10}

    def labelled_examples(self, training_data: TrainingData) -> List[Tuple[Message, str]]:
        return [(m, m.get(INTENT)) for m in training_data.intent_examples]

    def process_message(self, message: Message) -> None:
        ranking = [
            {"name": name, PREDICTED_CONFIDENCE_KEY: p}
            for name, p in self.ranked(message)[: self._config["ranking_length"]]
        ]
        if ranking:
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
