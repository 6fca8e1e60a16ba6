"""Tags the checklist conditions a message names, read as the checklist reads its answers
(bot/shared/checklist_answers.py `named_conditions`: synonyms and typos from conditions.yml)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import PipelineComponent
from bot.shared.checklist_answers import named_conditions
from bot.shared.condition_matcher import ConditionMatcher
from bot.shared.names import CONDITION_ENTITY, NEGATED_CONDITION_ENTITY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ConditionEntityExtractor(PipelineComponent, EntityExtractorMixin):
    """Tags checklist conditions named in a message.

    A condition the user says they have is a `condition` entity; one they say
    they do not have ("no, I don't have asthma", "I'm 40") is `no_condition`.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return []  # it reads the raw text

    def __init__(
        self,
        config: Optional[Dict[Text, Any]] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        matcher: Optional[ConditionMatcher] = None,
    ) -> None:
        super().__init__(config or {}, model_storage, resource)
        self._matcher = matcher or ConditionMatcher()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                self.entity(c.key, not c.has_it, c.start, c.end)
                for c in named_conditions(text, self._matcher)
            ]
            if found:
                entities = self.add_extractor_name(found)
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    @staticmethod
    def entity(key: str, negated: bool, start: int, end: int) -> Dict[str, Any]:
        return {
            "entity": NEGATED_CONDITION_ENTITY if negated else CONDITION_ENTITY,
            "value": key,
            "start": start,
            "end": end,
            "confidence_entity": 1.0,
        }
