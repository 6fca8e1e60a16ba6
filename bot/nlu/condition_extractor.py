"""Tags the checklist conditions a message names (synonyms and typos from conditions.yml)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.shared.ages import ADULT_AGE, stated_age
from bot.shared.condition_matcher import ConditionMatcher
from bot.shared.conditions import CONDITION_ENTITY, NEGATED_CONDITION_ENTITY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ConditionEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Tags checklist conditions named in a message.

    A condition the user says they have is a `condition` entity; one they say
    they do not have ("no, I don't have asthma", "I'm 40") is `no_condition`.
    """

    def __init__(self, matcher: Optional[ConditionMatcher] = None) -> None:
        self._matcher = matcher or ConditionMatcher()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConditionEntityExtractor:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                self.entity(m.key, m.negated, m.start, m.end)
                for m in self._matcher.find(text)
                if m.implied_by is None  # a medicine only answers the question it was asked for
            ]
            age = stated_age(text)  # a bare number is not an age here: on SMS "2" means "No"
            if age is not None:
                found.append(self.entity("under_18", age >= ADULT_AGE, 0, len(text)))
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
