"""Rasa's own validation, as `rasa train` runs it before training, holds config.yml's order."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.exceptions import GraphSchemaValidationException
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.validation import validate
from rasa.shared.data import TrainingType
from rasa.shared.utils.io import read_model_configuration

CONFIG = Path(__file__).resolve().parent.parent / "config.yml"


def pipeline_names(config: Dict[str, Any]) -> List[str]:
    return [component["name"] for component in config["pipeline"]]


def swapped(config: Dict[str, Any], first: str, second: str) -> Dict[str, Any]:
    names = pipeline_names(config)
    i, j = names.index(first), names.index(second)
    pipeline = list(config["pipeline"])
    pipeline[i], pipeline[j] = pipeline[j], pipeline[i]
    return {**config, "pipeline": pipeline}


def validate_as_rasa_train_does(config: Dict[str, Any]) -> None:
    """rasa.model_training: the recipe's graphs from the config, then validate(), no training."""
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    config, _, _ = recipe.auto_configure(None, config, TrainingType.BOTH)
    validate(recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH))


@pytest.fixture(scope="module")
def config() -> Dict[str, Any]:
    return read_model_configuration(str(CONFIG))


def test_the_project_pipeline_passes_rasas_validation(config):
    validate_as_rasa_train_does(config)


@pytest.mark.parametrize(
    "first, second, missing, refused",
    [
        (
            "bot.nlu.scaled_features.ScaledSentenceFeaturizer",
            "bot.nlu.intent_classifier.IntentClassifierLR",
            "ScaledSentenceFeaturizer",
            "bot.nlu.intent_classifier.IntentClassifierLR",
        ),
        (
            "bot.nlu.sentence_featurizer.SentenceEmbeddingFeaturizer",
            "bot.nlu.scaled_features.ScaledSentenceFeaturizer",
            "DenseFeaturizer",
            "bot.nlu.scaled_features.ScaledSentenceFeaturizer",
        ),
        (
            "WhitespaceTokenizer",
            "bot.nlu.triage.guard.SafetyIntentGuard",
            "Tokenizer",
            "bot.nlu.triage.guard.SafetyIntentGuard",
        ),
    ],
)
def test_two_components_swapped_are_refused_naming_what_is_missing(
    config, first, second, missing, refused
):
    with pytest.raises(GraphSchemaValidationException) as refusal:
        validate_as_rasa_train_does(swapped(config, first, second))
    # "The following components require a <type>: <node names>. "
    lines = [line for line in str(refusal.value).splitlines() if f"require a {missing}: " in line]
    assert len(lines) == 1 and refused in lines[0]
