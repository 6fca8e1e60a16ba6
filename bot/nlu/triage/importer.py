"""Gives the intent classifier what it learns from data/triage/: care and back-pain reports.

Listed in config.yml's `importers` beside Rasa's own, so `rasa train` and `rasa data validate`
see the `emergency`, `urgent` and `back_pain_report` intents' examples without a second copy of
them in data/nlu/. Triage itself reads the same files with their categories (guard.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Union

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.triage.examples import TRIAGE_DATA, examples_by_intent, read_examples


class TriageDataImporter(TrainingDataImporter):
    def __init__(
        self,
        config_file: Optional[Text] = None,
        domain_path: Optional[Text] = None,
        training_data_paths: Optional[Union[List[Text], Text]] = None,
        folder: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        self._folder = Path(folder) if folder else TRIAGE_DATA

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        intents = examples_by_intent(read_examples(self._folder))
        messages = [
            Message(data={TEXT: text, INTENT: intent})
            for intent, texts in intents.items()
            for text in dict.fromkeys(texts)
        ]
        return TrainingData(messages)

    def get_domain(self) -> Domain:
        return Domain.empty()

    def get_stories(self, exclusion_percentage: Optional[int] = None) -> StoryGraph:
        return StoryGraph([])

    def get_conversation_tests(self) -> StoryGraph:
        return StoryGraph([])

    def get_config(self) -> Dict:
        return {}

    def get_config_file_for_auto_config(self) -> Optional[Text]:
        return None
