"""Ingest on Ray: the per-batch steps as plain functions, and one run on a local Ray."""

from __future__ import annotations

import functools
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests import builders
from tests.conftest import CountingEmbedder
from tests.options import ingest_options
from yomitoki.backends.fake import HashEmbedder
from yomitoki.errors import ParseError
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.distributed import RayPreparer, cut_batch, embed_batch
from yomitoki.ingest.pipeline import Ingester, Job, Prepared
from yomitoki.ingest.scan import file_hash, scan
from yomitoki.types import Outcome


def jobs_of(folder: Path) -> list[Job]:
    files, _ = scan(folder, (), False)
    return [Job(f, str(folder), file_hash(f.path), None) for f in files]


def test_the_batch_steps_prepare_what_the_ingester_prepares_and_carry_failures(
    corpus: Path, tmp_path: Path
) -> None:
    builders.text(corpus / "broken.pdf", "not a pdf")
    with Store.open(tmp_path / "i.sqlite") as store:
        ingester = Ingester(store, HashEmbedder(), ingest_options())
        jobs = jobs_of(corpus)
        batch = {"job": [pickle.dumps(job) for job in jobs]}
        done = embed_batch(cut_batch(batch, ingester), ingester)
        assert [pickle.loads(j).source.name for j in done["job"]] == [j.source.name for j in jobs]
        for job, raw in zip(jobs, done["prepared"], strict=True):
            result = pickle.loads(raw)
            if job.source.name == "broken.pdf":
                assert isinstance(result, ParseError) and "not a readable PDF" in result.reason
                continue
            assert isinstance(result, Prepared)
            here = ingester.prepare(job.source, job.root, job.digest)
            assert [c.chunk for c in result.chunks] == [c.chunk for c in here.chunks]
            assert result.vectors.keys() == here.vectors.keys()
            for key, vector in here.vectors.items():
                np.testing.assert_array_equal(result.vectors[key], vector)


def every_chunk(store: Store) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Each document's chunks (text and location) by name."""
    return {
        d.name: [(c.text, c.location.heading) for c in store.chunks(d.id)]
        for d in store.documents()
    }


def vectors_by_text(store: Store) -> dict[str, np.ndarray]:
    """Each chunk's stored vector, by the chunk's text."""
    vectors = store.vectors
    hits = store.passages(vectors.ids.tolist())
    return {hits[i].text: vectors.matrix[row] for row, i in enumerate(vectors.ids.tolist())}


def test_ingest_on_a_local_ray_builds_the_same_index_as_a_plain_ingest(
    corpus: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ray", reason="Ray is in the dev extra; this is its one end-to-end test")
    import ray

    builders.text(corpus / "broken.pdf", "not a pdf")
    with Store.open(tmp_path / "plain.sqlite") as plain:
        expected = Ingester(plain, CountingEmbedder(), ingest_options()).run(corpus)
        plain_chunks = every_chunk(plain)
        plain_vectors = vectors_by_text(plain)
    path = tmp_path / "ray.sqlite"
    with Store.open(path) as store:
        store.bind_model(HashEmbedder().model_id, HashEmbedder().dim)
    # Ray's socket paths must fit in 107 bytes: a short folder, not pytest's.
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    preparer = RayPreparer(functools.partial(_worker, path), cpus=2, temp_dir=temp)
    try:
        with Store.open(path) as store:
            report = Ingester(store, HashEmbedder(), ingest_options(), preparer=preparer).run(
                corpus
            )
            assert {r.name: r.outcome for r in report.results} == {
                r.name: r.outcome for r in expected.results
            }
            assert report.count(Outcome.FAILED) == 1
            assert every_chunk(store) == plain_chunks
            ours = vectors_by_text(store)
            assert ours.keys() == plain_vectors.keys()
            for text, vector in ours.items():
                np.testing.assert_array_equal(vector, plain_vectors[text])
            again = Ingester(store, HashEmbedder(), ingest_options(), preparer=preparer)
            assert {r.outcome for r in again.run(corpus).results} == {
                Outcome.UNCHANGED, Outcome.FAILED,
            }  # fmt: skip
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def _worker(path: Path) -> Ingester:
    return Ingester(Store.open(path), HashEmbedder(), ingest_options())
