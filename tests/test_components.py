"""The custom NLU components on Rasa's own Message objects."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.condition_extractor import ConditionEntityExtractor
from bot.nlu.safety_guard import SafetyIntentGuard


def classified(text, *ranking):
    ranking = [{"name": name, "confidence": conf} for name, conf in ranking]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


@pytest.fixture(scope="module")
def guard():
    return SafetyIntentGuard(
        {**SafetyIntentGuard.get_default_config(), "min_emergency_confidence": 0.6}
    )


def test_a_phrase_match_overrides_the_classifier(guard):
    message = classified("I can't breathe and my chest hurts", ("faq", 0.8), ("emergency", 0.2))
    guard.process([message])
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["emergency", "faq"]
    assert message.get("entities") == [
        {
            "entity": "emergency_kind",
            "value": "medical",
            "start": 0,
            "end": 34,
            "extractor": "SafetyIntentGuard",
        }
    ]


def test_suicidal_thoughts_are_marked_for_the_crisis_line(guard):
    message = classified("I want to end my life", ("emergency", 0.9), ("faq", 0.1))
    guard.process([message])
    assert message.get("entities")[0]["value"] == "suicide"


def test_an_unsure_classifier_emergency_gives_way_to_the_next_intent(guard):
    message = classified(
        "do you feel the endorphin thing right away", ("emergency", 0.55), ("faq", 0.4)
    )
    guard.process([message])
    assert message.get("intent") == {"name": "faq", "confidence": 0.4}
    assert message.get("entities", []) == []


def test_a_confident_classifier_emergency_stands(guard):
    message = classified("my legs are weaker every hour", ("emergency", 0.95), ("faq", 0.05))
    guard.process([message])
    assert message.get("intent")["name"] == "emergency"
    assert message.get("entities")[0]["value"] == "general"


@pytest.mark.parametrize("text", ["12345", "😀😀", "?!", "👍 42"])
def test_messages_without_words_get_zero_confidence(guard, text):
    message = classified(text, ("faq", 0.9), ("greet", 0.1))
    guard.process([message])
    assert message.get("intent") == {"name": "faq", "confidence": 0.0}


def test_condition_entities_carry_the_condition_key():
    message = Message(data={"text": "yes, I have a pace maker but no asthma"})
    ConditionEntityExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("condition", "implants_or_pacemaker"),
        ("no_condition", "respiratory_illness"),
    ]
    assert message.get("entities")[0]["extractor"] == "ConditionEntityExtractor"
