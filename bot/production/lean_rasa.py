"""`rasa run` without TensorFlow: the serving process never imports it.

Rasa imports TensorFlow on the way to serving any model (its training utilities and the
TensorFlow components are imported by modules every server loads), and spaCy's thinc imports
it whenever it is installed. This pipeline has no TensorFlow component (MiniLM runs in onnxruntime,
bot/nlu/minilm.py), so the server starts with TensorFlow blocked and with stand-ins for the
few Rasa names that only training or TensorFlow components use: it is ready in a fraction of
the time, in about half the memory. A model whose pipeline or policies need TensorFlow is
served the usual way, after saying so. Training, `rasa test` and `rasa data validate` keep
TensorFlow.

Run: python -m bot.production.lean_rasa run --model M ...   (the arguments of `rasa run`)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Dict, List, Optional, Sequence

BLOCKED = ("tensorflow", "tensorflow_hub", "tensorflow_text", "tensorflow_addons", "keras")
# Rasa's own components and policies that run on TensorFlow.
TENSORFLOW_COMPONENTS = {
    "DIETClassifier",
    "ResponseSelector",
    "TEDPolicy",
    "UnexpecTEDIntentPolicy",
    "LanguageModelFeaturizer",
    "ConveRTFeaturizer",
}
# Modules imported on the way to serving that only training (or the components above) use.
STAND_INS: Dict[str, Sequence[str]] = {
    "rasa.utils.tensorflow.callback": ("RasaTrainingLogger", "RasaModelCheckpoint"),
    "rasa.utils.tensorflow.data_generator": ("RasaBatchDataGenerator", "RasaDataGenerator"),
    "rasa.nlu.classifiers.diet_classifier": ("DIETClassifier",),
    "rasa.nlu.selectors.response_selector": ("ResponseSelector",),
    "rasa.core.policies.ted_policy": ("TEDPolicy",),
    "rasa.core.policies.unexpected_intent_policy": ("UnexpecTEDIntentPolicy",),
    "rasa.nlu.featurizers.dense_featurizer.lm_featurizer": ("LanguageModelFeaturizer",),
    "rasa.nlu.featurizers.dense_featurizer.convert_featurizer": ("ConveRTFeaturizer",),
}


class TensorFlowNeeded(RuntimeError):
    """Something in this server process reached for TensorFlow, which is not loaded."""


def stand_in_class(module: str, name: str) -> type:
    def refuse(*args, **kwargs):
        raise TensorFlowNeeded(
            f"{module}.{name} needs TensorFlow, and this server runs without "
            "it. Serve with `rasa run` instead."
        )

    return type(
        name,
        (),
        {
            "__init__": refuse,
            "__module__": module,
            "__doc__": "A stand-in: this server runs without TensorFlow.",
        },
    )


class StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        for name in STAND_INS[module.__name__]:
            setattr(module, name, stand_in_class(module.__name__, name))


class LeanImports(importlib.abc.MetaPathFinder):
    """TensorFlow cannot be imported; the modules above get their stand-ins."""

    def find_spec(self, fullname: str, path, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named '{fullname}' (this server runs without " "TensorFlow)",
                name=fullname,
            )
        if fullname in STAND_INS:
            return importlib.machinery.ModuleSpec(fullname, StandInLoader())
        return None


def install() -> None:
    if not any(isinstance(finder, LeanImports) for finder in sys.meta_path):
        sys.meta_path.insert(0, LeanImports())


def components_of(model: Path) -> List[str]:
    """The class names the model's prediction graph uses (from its metadata.json)."""
    with tarfile.open(model, "r:gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.lstrip("/") == "metadata.json")
        metadata = json.load(archive.extractfile(member))
    return [
        node["uses"].rsplit(".", 1)[-1] for node in metadata["predict_schema"]["nodes"].values()
    ]


def tensorflow_components(model: Path) -> List[str]:
    return sorted(set(components_of(model)) & TENSORFLOW_COMPONENTS)


def model_argument(argv: Sequence[str]) -> Optional[Path]:
    for index, argument in enumerate(argv):
        if argument in ("--model", "-m") and index + 1 < len(argv):
            return Path(argv[index + 1])
        if argument.startswith("--model="):
            return Path(argument.split("=", 1)[1])
    return None


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    model = model_argument(argv)
    if argv[:1] == ["run"] and model is not None and model.is_file():
        needs = tensorflow_components(model)
        if needs:
            print(
                f"This model's pipeline uses TensorFlow ({', '.join(needs)}), so the server "
                "starts with TensorFlow (slower to start, more memory).",
                file=sys.stderr,
            )
        else:
            install()
    from bot.production.action_results import validate_action_results_once
    from bot.shared.log_privacy import keep_health_data_out_of_logs

    keep_health_data_out_of_logs()
    validate_action_results_once()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
