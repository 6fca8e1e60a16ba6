"""MiniLM sentence vectors: offline from the installed wheel, mean-pooled, unit length, and the same
vectors as the TensorFlow path that trained the first models, in onnxruntime and in numpy."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.minilm import MiniLMEncoder
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_vectors.json"


@pytest.fixture(scope="module")
def encoder():
    return MiniLMEncoder()


def test_the_server_runs_minilm_in_onnxruntime_on_the_graph_built_at_install(encoder):
    assert encoder.backend == "onnx"


def test_paraphrases_are_closer_than_unrelated_questions(encoder):
    session, paraphrase, unrelated = encoder.encode(
        [
            "how long does a session take",
            "how many minutes is one treatment",
            "what is the capital of France",
        ]
    )
    assert np.allclose(np.linalg.norm([session, paraphrase, unrelated], axis=1), 1.0, atol=1e-5)
    assert session @ paraphrase > session @ unrelated + 0.2


def test_the_featurizer_adds_a_scaled_sentence_vector_only(encoder):
    featurizer = SentenceEmbeddingFeaturizer(
        {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": 2.0},
        "minilm",
        encoder=encoder,
    )
    message = Message(data={"text": "is cryotherapy safe"})
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text")
    assert sequence is None
    assert sentence.features.shape == (1, 384)
    assert np.isclose(np.linalg.norm(sentence.features), 2.0, atol=1e-4)


@pytest.mark.parametrize("backend", ["onnx", "numpy"])
def test_the_vectors_match_the_tensorflow_paths_to_1e_5(backend):
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    vectors = MiniLMEncoder(backend=backend).encode(fixture["texts"])
    assert np.abs(vectors - np.array(fixture["vectors"])).max() < 1e-5


@pytest.mark.parametrize("backend", ["onnx", "numpy"])
def test_encoding_never_loads_tensorflow(backend):
    check = (
        "import sys\n"
        "from bot.nlu.minilm import MiniLMEncoder\n"
        f"MiniLMEncoder(backend={backend!r}).encode(['is it safe'])\n"
        "print('tensorflow' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
