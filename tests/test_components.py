"""The custom NLU components on Rasa's own Message objects."""

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.condition_extractor import ConditionEntityExtractor
from bot.nlu.triage.bank import RedFlagBank
from bot.nlu.triage.classifier import SentenceClassifier
from bot.nlu.triage.guard import SafetyIntentGuard


def classified(text, *ranking, metadata=None):
    ranking = [{"name": name, "confidence": conf} for name, conf in ranking]
    data = {"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking}
    if metadata:
        data["metadata"] = metadata
    return Message(data=data)


def no_vectors(texts):
    return np.zeros((len(texts), 384), dtype=np.float32)


class ReadsBackPain:
    """Stands in for the trained classifier: a plain report where the words say so."""

    labels = ["back_pain", "none"]

    def by_label(self, texts, vectors):
        return [
            {"back_pain": 0.9, "none": 0.1} if "back" in t and "?" not in t else {"none": 1.0}
            for t in texts
        ]


@pytest.fixture(scope="module")
def guard():
    """The guard with its rules; the learned layers have their own tests (test_triage.py)."""
    return SafetyIntentGuard(
        SafetyIntentGuard.get_default_config(), encode=no_vectors, classifier=ReadsBackPain()
    )


def care_entities(message):
    return [e["value"] for e in message.get("entities", []) if e["entity"] == "care_kind"]


def test_a_red_flag_overrides_the_classifier_and_the_rest_can_never_tie_with_it(guard):
    message = classified("I can't breathe and my chest hurts", ("faq", 0.98), ("emergency", 0.02))
    guard.process([message])
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    # Halved: a confident second intent must not look like a tie to the FallbackClassifier.
    assert message.get("intent_ranking") == [
        {"name": "emergency", "confidence": 1.0},
        {"name": "faq", "confidence": 0.49},
    ]
    assert care_entities(message) == ["medical"]
    assert message.get("safety")["layers"] == ["rules"]


def test_suicidal_thoughts_are_marked_for_the_crisis_line(guard):
    message = classified("my husband says he wants to die", ("faq", 0.9), ("greet", 0.1))
    guard.process([message])
    assert care_entities(message) == ["suicide_for_someone_else"]


def test_someone_else_in_trouble_gets_the_answer_for_the_helper(guard):
    message = classified("my wife can't feel her legs and her back went", ("faq", 0.9))
    guard.process([message])
    assert care_entities(message) == ["medical_for_someone_else"]


def test_an_urgent_red_flag_gets_the_urgent_intent_and_answer(guard):
    message = classified("blisters came up on my feet after the cryo session", ("faq", 0.9))
    guard.process([message])
    assert message.get("intent")["name"] == "urgent"
    assert care_entities(message) == ["urgent"]


def test_a_plain_report_of_back_pain_is_the_back_pain_report_worded_for_whoever_has_it(guard):
    own = classified("my back hurts so much", ("emergency", 0.6), ("faq", 0.4))
    mum = classified("my mom's back hurts", ("faq", 0.9))
    guard.process([own, mum])
    assert own.get("intent") == {"name": "back_pain_report", "confidence": 1.0}
    assert (care_entities(own), care_entities(mum)) == (
        ["back_pain"],
        ["back_pain_for_someone_else"],
    )
    assert own.get("safety")["level"] is None


def test_a_yes_or_no_to_the_checklist_stays_an_answer_even_when_it_mentions_the_back(guard):
    message = classified("yes, and my back hurts", ("affirm", 0.8), ("faq", 0.2))
    guard.process([message])
    assert message.get("intent")["name"] == "affirm"


def test_an_unsupported_classifier_emergency_gives_way_to_the_next_intent(guard):
    message = classified(
        "how long does a session last?", ("emergency", 0.55), ("faq", 0.4), ("greet", 0.05)
    )
    guard.process([message])
    assert message.get("intent") == {"name": "faq", "confidence": pytest.approx(0.4 / 0.45)}
    assert care_entities(message) == []


def test_a_red_flag_past_the_first_1000_characters_is_found_in_the_whole_text(guard):
    long = "I've wanted to ask about sessions and prices for a while now. " * 17
    full = long + "Also since this morning I can't feel my legs."
    message = classified(long[:1000], ("faq", 0.9), metadata={"full_text": full})
    guard.process([message])
    assert message.get("intent")["name"] == "emergency"


@pytest.mark.parametrize("text", ["12345", "😀😀", "?!", "👍 42"])
def test_messages_without_words_get_zero_confidence(guard, text):
    message = classified(text, ("faq", 0.9), ("greet", 0.1))
    guard.process([message])
    assert message.get("intent") == {"name": "faq", "confidence": 0.0}


def test_the_trained_bank_and_classifier_are_saved_and_loaded_with_the_model(tmp_path):
    bank = RedFlagBank(np.eye(2, 384, dtype=np.float32), ["chest_pain", ""])
    bank.save(tmp_path)
    match = RedFlagBank.load(tmp_path).match(np.eye(1, 384, dtype=np.float32))[0]
    assert (match.category, match.similarity, match.near_miss_similarity) == (
        "chest_pain",
        1.0,
        0.0,
    )
    texts = ["my chest is crushing", "how long is a session", "my back aches", "book me in"]
    vectors = np.eye(4, 384, dtype=np.float32)
    labels = ["chest_pain", "none", "back_pain", "none"]
    SentenceClassifier.fit(texts * 3, np.vstack([vectors] * 3), labels * 3).save(tmp_path)
    loaded = SentenceClassifier.load(tmp_path)
    best = [max(p, key=p.get) for p in loaded.by_label(texts, vectors)]
    assert best == labels


def test_condition_entities_carry_the_condition_key():
    message = Message(data={"text": "yes, I have a pace maker but no asthma"})
    ConditionEntityExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("condition", "implants_or_pacemaker"),
        ("no_condition", "respiratory_illness"),
    ]
    assert message.get("entities")[0]["extractor"] == "ConditionEntityExtractor"


@pytest.mark.parametrize(
    "text, entity", [("im only 16", "condition"), ("no, I'm 40", "no_condition")]
)
def test_a_stated_age_is_the_under_18_item(text, entity):
    message = Message(data={"text": text})
    ConditionEntityExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [(entity, "under_18")]


@pytest.mark.parametrize("text", ["2", "1", "how long is a session, 3 minutes?"])
def test_a_bare_number_is_never_an_age_outside_the_age_question(text):
    message = Message(data={"text": text})
    ConditionEntityExtractor().process([message])
    assert message.get("entities", []) == []
