"""What every custom pipeline component does alike on Rasa's GraphComponent contract.

Rasa builds a component with create() before training and with load() from a trained model
(rasa/engine/graph.py). A component here keeps its config and its place in the model storage,
and says only what is its own: what it does to a message, what it saves and reads back, or how
it featurizes a batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class PipelineComponent(GraphComponent):
    """Keeps its config and its place in the model storage; processes messages one by one.

    Its required_components() are checked by Rasa on the training graph too, where each
    classifier follows only the tokenizers and featurizers before it: a component can require
    those, not the classifiers and extractors before it (config.yml keeps that order).
    """

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PipelineComponent:
        return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_message(message)
        return messages

    def process_message(self, message: Message) -> None:
        raise NotImplementedError


class TrainedComponent(PipelineComponent):
    """Saves what it learned in its folder of the model storage, and is loaded from there."""

    # True where a model trained without NLU data, which has no folder for it, loads it untrained.
    may_load_untrained = False

    def save(self, folder: Path) -> None:
        raise NotImplementedError

    @classmethod
    def read(cls, folder: Path) -> Dict[str, Any]:
        """What save() wrote, as the constructor's keyword arguments."""
        raise NotImplementedError

    def persist(self) -> Resource:
        with self._model_storage.write_to(self._resource) as folder:
            self.save(folder)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TrainedComponent:
        try:
            with model_storage.read_from(resource) as folder:
                learned = cls.read(folder)
        except (ValueError, FileNotFoundError):
            if not cls.may_load_untrained:
                raise
            learned = {}
        return cls(config, model_storage, resource, **learned)


class BatchFeaturizer:
    """A featurizer's two entry points, the training examples and the messages, as batches."""

    def featurize(self, messages: List[Message], training: bool) -> None:
        raise NotImplementedError

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.featurize(training_data.training_examples, training=True)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self.featurize(messages, training=False)
        return messages
