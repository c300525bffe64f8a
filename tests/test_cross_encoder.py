"""The cross-encoder reranker on a tiny model this test builds: a word-level tokenizer and an
ONNX graph (embedding, masked mean, linear) whose weights favour one word. Nothing is
downloaded; a user's real model folder has the same two files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
tokenizers = pytest.importorskip("tokenizers")

from yomitoki import assemble  # noqa: E402
from yomitoki.backends.cross_encoder import CrossEncoder, relevance  # noqa: E402
from yomitoki.errors import ConfigError  # noqa: E402
from yomitoki.settings import load_settings  # noqa: E402

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "dental", "cleaning", "parking", "plan", "the",
         "is", "covered", "free", "twice", "a", "year"]  # fmt: skip


def build_model(folder: Path, with_type_ids: bool = True) -> Path:
    """A tokenizer.json and a model.onnx: relevance grows with how often "dental" appears in
    the pair; the question holds it once, so only a passage that holds it too scores high."""
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {w: i for i, w in enumerate(WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)],
    )  # fmt: skip
    tokenizer.save(str(folder / "tokenizer.json"))
    rng = np.random.default_rng(0)
    embedding = (rng.standard_normal((len(WORDS), 4)) * 0.01).astype(np.float32)
    embedding[vocab["dental"], 0] = 8.0  # the one feature the linear layer reads
    weight = np.array([[1.0], [0.0], [0.0], [0.0]], dtype=np.float32)
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["tokens"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "axis"], ["mask3"]),
        helper.make_node("Mul", ["tokens", "mask3"], ["kept"]),
        helper.make_node("ReduceSum", ["kept", "one"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "weight"], ["raw"]),
        helper.make_node("Sub", ["raw", "bias"], ["logits"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", "l"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["n", "l"]),
    ]
    if with_type_ids:  # BERT-style models take token types; the graph ignores them
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64,
                                                    ["n", "l"]))  # fmt: skip
        nodes.append(helper.make_node("Identity", ["token_type_ids"], ["types_unused"]))
    graph = helper.make_graph(
        nodes, "tiny-cross-encoder", inputs,
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 1])],
        initializer=[
            numpy_helper.from_array(embedding, "embedding"),
            numpy_helper.from_array(weight, "weight"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
            numpy_helper.from_array(np.array([12.0], dtype=np.float32), "bias"),
        ],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(folder / "model.onnx"))
    return folder


def test_a_cross_encoder_scores_pairs_and_ranks_the_relevant_passage_first(tmp_path: Path) -> None:
    scorer = CrossEncoder(build_model(tmp_path / "m"), batch_size=2)
    passages = ["parking is free", "the dental plan", "dental cleaning is covered twice a year",
                "the plan", "zzz unknown words"]  # fmt: skip
    scores = scorer.score("dental cleaning", passages)
    assert len(scores) == 5 and all(0.0 < s < 1.0 for s in scores)
    order = sorted(range(5), key=lambda i: -scores[i])
    assert {order[0], order[1]} == {1, 2} and scores[0] < 0.5 < scores[2]
    assert scorer.score("dental cleaning", []) == []


def test_a_model_without_token_types_and_one_under_onnx_works(tmp_path: Path) -> None:
    folder = build_model(tmp_path / "m", with_type_ids=False)
    (folder / "onnx").mkdir()
    (folder / "model.onnx").rename(folder / "onnx" / "model.onnx")
    (score,) = CrossEncoder(folder).score("dental", ["dental dental"])
    assert score > 0.9


def test_a_folder_without_the_files_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"needs model.onnx \(or onnx/model.onnx\)"):
        CrossEncoder(tmp_path / "empty")
    with pytest.raises(ConfigError, match="needs the cross_encoder setting"):
        assemble.open_retriever(
            load_settings(index=tmp_path / "i.sqlite", reranker="cross-encoder"), create=True
        )


def test_wiring_builds_the_cross_encoder_stage(tmp_path: Path) -> None:
    settings = load_settings(
        index=tmp_path / "i.sqlite", reranker="cross-encoder",
        cross_encoder=build_model(tmp_path / "m"),
    )  # fmt: skip
    retriever = assemble.open_retriever(settings, create=True)
    assert retriever.reranking is not None
    assert isinstance(retriever.reranking.reranker, CrossEncoder)


@pytest.mark.parametrize(
    ("logits", "expected"),
    [([[0.0], [2.0]], [0.5, 0.8808]), ([[0.0, 0.0], [0.0, 2.0]], [0.5, 0.8808]), ([0.0], [0.5])],
)
def test_relevance_reads_one_logit_or_two_classes(logits: list, expected: list) -> None:
    assert relevance(np.array(logits)) == pytest.approx(expected, abs=1e-4)


@pytest.mark.slow
def test_search_with_the_cross_encoder_in_a_fresh_process(tmp_path: Path) -> None:
    """The real command, in its own process: the reranker loads before the first search."""
    import json
    import os
    import subprocess
    import sys

    from tests import builders

    docs = tmp_path / "docs"
    docs.mkdir()
    builders.text(docs / "parking.md", "# Parking\n\nParking is free for the plan.\n")
    builders.text(docs / "dental.md", "# Dental\n\nDental cleaning is covered twice a year.\n")
    env = {**os.environ, "YOMITOKI_CROSS_ENCODER": str(build_model(tmp_path / "m"))}
    index = str(tmp_path / "i.sqlite")
    base = [sys.executable, "-m", "yomitoki"]
    subprocess.run([*base, "ingest", str(docs), "--index", index, "--embedder", "hash",
                    "--no-progress"], check=True, capture_output=True, env=env)  # fmt: skip
    done = subprocess.run(
        [*base, "search", "dental cleaning plan", "--index", index, "--json",
         "--reranker", "cross-encoder"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert hits[0]["document"] == "dental.md" and "rerank" in hits[0]["legs"]
