"""The FAQ selector and intent classifier, trained on a small set of real Rasa messages."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_selector import FaqResponseSelector
from bot.nlu.intent_classifier import IntentClassifierLR
from bot.nlu.scaled_features import ScaledFeatures, ScaledSentenceFeaturizer

EXAMPLES = {
    "faq/how_long": [
        "how long is a session",
        "how many minutes does it take",
        "session length",
        "how long do I stay in the chamber",
    ],
    "faq/side_effects": [
        "what are the side effects",
        "any side effects",
        "will my skin go red",
        "does it cause tingling",
    ],
    "greet": ["hello", "hi there", "good morning", "hey"],
}
RESPONSES = {
    "utter_faq/how_long": [{"text": "About 3 minutes."}],
    "utter_faq/side_effects": [{"text": "Numbness, tingling, redness."}],
}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def featurize(storage):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    context = ExecutionContext(node_name="counts", graph_schema=None)
    counts = CountVectorsFeaturizer.create(
        {
            **CountVectorsFeaturizer.get_default_config(),
            "analyzer": "char_wb",
            "min_ngram": 2,
            "max_ngram": 4,
        },
        storage,
        Resource("counts"),
        context,
    )

    scaled = ScaledSentenceFeaturizer.create({}, storage, Resource("scaled"), context)

    def run(data: TrainingData = None, messages=None):
        if data is not None:
            tokenizer.process_training_data(data)
            counts.train(data)
            counts.process_training_data(data)
            scaled.train(data)
            scaled.process_training_data(data)
            return data
        tokenizer.process(messages)
        counts.process(messages)
        scaled.process(messages)
        return messages

    return run


def training_data() -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, key = label.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if key:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    return TrainingData(messages, responses=RESPONSES)


def trained_and_reloaded(component_class, name, storage, data):
    """Trains the component, then loads it back from the model storage, as rasa run does."""
    context = ExecutionContext(node_name=name, graph_schema=None)
    resource = Resource(name)
    config = component_class.get_default_config()
    component_class.create(config, storage, resource, context).train(data)
    return component_class.load(config, storage, resource, context)


def test_the_selector_answers_in_the_response_selector_format(storage, featurize):
    selector = trained_and_reloaded(FaqResponseSelector, "faq", storage, featurize(training_data()))

    message = Message(data={"text": "how many minutes is one session"})
    selector.process(featurize(messages=[message]))
    selected = message.get("response_selector")
    assert selected["all_retrieval_intents"] == ["faq"]
    response = selected["faq"]["response"]
    assert response["intent_response_key"] == "faq/how_long"
    assert response["utter_action"] == "utter_faq/how_long"
    assert response["responses"] == [{"text": "About 3 minutes."}]
    assert [r["intent_response_key"] for r in selected["faq"]["ranking"]][0] == "faq/how_long"
    assert np.isclose(sum(r["confidence"] for r in selected["faq"]["ranking"]), 1.0)


def test_the_intent_classifier_ranks_intents(storage, featurize):
    classifier = trained_and_reloaded(
        IntentClassifierLR, "intents", storage, featurize(training_data())
    )

    message = Message(data={"text": "hello there"})
    classifier.process(featurize(messages=[message]))
    assert message.get("intent")["name"] == "greet"
    assert [r["name"] for r in message.get("intent_ranking")] == ["greet", "faq"]


def test_both_classifiers_read_one_row_weighted_once_per_message(storage, featurize, monkeypatch):
    data = featurize(training_data())
    classifier = trained_and_reloaded(IntentClassifierLR, "intents", storage, data)
    selector = trained_and_reloaded(FaqResponseSelector, "faq", storage, data)
    weighed = []
    transform = ScaledFeatures.transform
    monkeypatch.setattr(
        ScaledFeatures, "transform", lambda self, ms: weighed.append(len(ms)) or transform(self, ms)
    )

    message = Message(data={"text": "any side effects on the skin"})
    classifier.process(featurize(messages=[message]))
    selector.process([message])
    assert weighed == [1]  # the featurizer's one call; neither classifier weighs again
    assert message.get("intent")["name"] == "faq"
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/side_effects"
    )


def test_a_message_without_text_is_left_unclassified_not_a_crash(storage, featurize):
    data = featurize(training_data())
    classifier = trained_and_reloaded(IntentClassifierLR, "intents", storage, data)
    selector = trained_and_reloaded(FaqResponseSelector, "faq", storage, data)

    message = Message(data={})
    classifier.process([message])
    selector.process([message])
    assert message.get("intent") is None and message.get("response_selector") is None
