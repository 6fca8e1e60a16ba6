"""Serving without TensorFlow (bot/production/lean_rasa.py), the action-result check built
once (bot/production/action_results.py), and the same answers as before."""

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import jsonschema
import pytest

from bot.production import lean_rasa
from bot.production.action_results import validate_action_result

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"


def fake_model(tmp_path: Path, classes) -> Path:
    metadata = {"predict_schema": {"nodes": {f"n{i}": {"uses": c} for i, c in enumerate(classes)}}}
    path = tmp_path / "model.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = json.dumps(metadata).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_a_pipeline_without_tensorflow_components_is_served_lean(tmp_path):
    model = fake_model(
        tmp_path,
        [
            "bot.nlu.intent_classifier.IntentClassifierLR",
            "rasa.core.policies.rule_policy.RulePolicy",
        ],
    )
    assert lean_rasa.tensorflow_components(model) == []


def test_a_tensorflow_component_is_named_and_the_server_keeps_tensorflow(
    tmp_path, capsys, monkeypatch
):
    model = fake_model(
        tmp_path,
        [
            "rasa.nlu.classifiers.diet_classifier.DIETClassifier",
            "rasa.core.policies.ted_policy.TEDPolicy",
        ],
    )
    monkeypatch.setattr("rasa.__main__.main", lambda: None)
    before = list(sys.meta_path)
    lean_rasa.main(["run", "--model", str(model)])
    assert "uses TensorFlow (DIETClassifier, TEDPolicy)" in capsys.readouterr().err
    assert not any(isinstance(f, lean_rasa.LeanImports) for f in sys.meta_path)
    sys.meta_path[:] = before


@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)")
def test_loading_the_model_and_answering_never_imports_tensorflow():
    check = (
        "import asyncio, sys\n"
        "from bot.production import lean_rasa\n"
        "lean_rasa.install()\n"
        "from rasa.core.agent import Agent\n"
        "agent = Agent.load(sys.argv[1])\n"
        "parsed = asyncio.run(agent.parse_message('how long does a session take?'))\n"
        "print(parsed['response_selector']['faq']['response']['intent_response_key'])\n"
        "print('tensorflow' in sys.modules, any(m.startswith('tensorflow') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, str(MODEL)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-2:] == ["faq/how_long", "False False"]


@pytest.mark.server
def test_the_running_server_has_no_tensorflow_library_mapped(assistant):
    assert "3 minutes" in " ".join(assistant.texts("lean-1", "how long is a session?"))
    maps = Path(f"/proc/{assistant.server_pid}/maps").read_text()
    assert "libtensorflow" not in maps and "_pywrap_tensorflow" not in maps
    assert "rasa" in Path(f"/proc/{assistant.server_pid}/cmdline").read_text()


def test_a_malformed_action_result_is_still_refused_with_jsonschemas_own_error():
    malformed = {"events": "not a list", "responses": []}
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(None, malformed)
    from rasa.core.actions.action import RemoteAction

    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(malformed, RemoteAction.action_response_format_spec())
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert validate_action_result(None, {"events": [], "responses": []}) is True
