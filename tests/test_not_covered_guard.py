"""The open-set decision on Rasa's own Message objects: an FAQ only when a topic truly fits."""

import numpy as np
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.not_covered_guard import NotCoveredGuard


def faq_message(vector, topics):
    """A message the classifier called `faq`, with the selector's ranking and a sentence vector."""
    message = Message(
        data={
            "text": "a question",
            "intent": {"name": "faq", "confidence": 0.9},
            "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            "response_selector": {
                "faq": {
                    "ranking": [{"intent_response_key": key, "confidence": p} for key, p in topics]
                }
            },
        }
    )
    message.add_features(
        Features(np.array([vector], dtype=np.float32), "sentence", "text", "minilm")
    )
    return message


def guard(**config):
    vectors = np.array([[1, 0], [0, 1]], dtype=np.float32)
    return NotCoveredGuard(
        {**NotCoveredGuard.get_default_config(), **config},
        None,
        None,
        vectors,
        ["faq/how_long", "faq/booking"],
    )


def test_a_topic_that_fits_keeps_the_faq_answer():
    message = faq_message([1, 0.1], [("faq/how_long", 0.8), ("faq/booking", 0.1)])
    guard(min_topic_confidence=0.3).process([message])
    assert message.get("intent")["name"] == "faq"
    assert message.get("open_set")["covered"] is True


def test_an_unsure_best_topic_becomes_the_honest_answer():
    message = faq_message([1, 0.1], [("faq/how_long", 0.25), ("faq/booking", 0.2)])
    guard(min_topic_confidence=0.3).process([message])
    assert message.get("intent") == {"name": "not_covered", "confidence": 1.0}
    assert message.get("open_set")["topic"] == "faq/how_long"


def test_a_question_far_from_the_topics_own_examples_is_not_covered():
    message = faq_message([0, 1], [("faq/how_long", 0.9), ("faq/booking", 0.05)])
    guard(min_example_similarity=0.5).process([message])
    assert message.get("intent")["name"] == "not_covered"
    assert message.get("open_set")["similarity"] == 0.0


def test_other_intents_are_left_alone():
    message = Message(data={"text": "hi", "intent": {"name": "greet", "confidence": 0.9}})
    guard(min_topic_confidence=0.99).process([message])
    assert message.get("intent")["name"] == "greet" and message.get("open_set") is None


def fallback_message(faq_confidence, topics):
    message = faq_message([1, 0.1], topics)
    message.set("intent", {"name": "nlu_fallback", "confidence": 0.3})
    message.set(
        "intent_ranking",
        [
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "not_covered", "confidence": 0.52},
            {"name": "faq", "confidence": faq_confidence},
        ],
    )
    return message


def test_a_sure_topic_answers_when_the_fallback_was_unsure_between_the_faq_and_another_intent():
    sure = fallback_message(0.47, [("faq/how_long", 0.7), ("faq/booking", 0.1)])
    guard(fallback_faq_at_least=0.3, fallback_topic_at_least=0.6).process([sure])
    assert sure.get("intent") == {"name": "faq", "confidence": 0.47}
    assert [r["name"] for r in sure.get("intent_ranking")] == ["faq", "not_covered"]
    unsure = fallback_message(0.47, [("faq/how_long", 0.5), ("faq/booking", 0.4)])
    guard(fallback_faq_at_least=0.3, fallback_topic_at_least=0.6).process([unsure])
    assert unsure.get("intent")["name"] == "nlu_fallback"
    far = fallback_message(0.1, [("faq/how_long", 0.9), ("faq/booking", 0.05)])
    guard(fallback_faq_at_least=0.3, fallback_topic_at_least=0.6).process([far])
    assert far.get("intent")["name"] == "nlu_fallback"
