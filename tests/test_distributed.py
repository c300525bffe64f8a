"""Ingest on Ray: the per-batch steps as plain functions, and one run on a local Ray."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import builders
from tests.options import ingest_options, open_store
from yomitoki.backends.fake import HashEmbedder
from yomitoki.errors import ParseError
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.distributed import cut_batch, embed_batch
from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.scan import file_hash, scan
from yomitoki.ingest.work import Job, Prepared

# Ray started locally and ingest in a subprocess: make test and CI, not make check.
pytestmark = pytest.mark.slow


def jobs_of(folder: Path) -> list[Job]:
    files, _ = scan(folder, (), False)
    return [Job(f, str(folder), file_hash(f.path), None) for f in files]


def test_the_batch_steps_prepare_what_the_ingester_prepares_and_carry_failures(
    corpus: Path, tmp_path: Path
) -> None:
    builders.text(corpus / "broken.pdf", "not a pdf")
    with open_store(tmp_path / "i.sqlite") as store:
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
    """``yomitoki ingest --ray`` as a user runs it: Ray started on this machine, the settings
    carried to its workers, the failures reported, and the index the plain run builds."""
    builders.text(corpus / "broken.pdf", "not a pdf")
    reports = {}
    for name, extra in (("plain", []), ("ray", ["--ray"])):
        index = tmp_path / f"{name}.sqlite"
        done = subprocess.run(
            [sys.executable, "-m", "yomitoki", "ingest", str(corpus), "--index", str(index),
             "--embedder", "hash", "--json", *extra],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr  # the broken PDF fails; the others do not
        reports[name] = json.loads(done.stdout)
    outcomes = {
        name: sorted((f["name"], f["outcome"]) for f in report["files"])
        for name, report in reports.items()
    }
    assert outcomes["ray"] == outcomes["plain"]
    assert ("broken.pdf", "failed") in outcomes["ray"]
    with open_store(tmp_path / "plain.sqlite") as plain, open_store(tmp_path / "ray.sqlite") as ray:
        assert every_chunk(ray) == every_chunk(plain)
        ours, theirs = vectors_by_text(ray), vectors_by_text(plain)
        assert ours.keys() == theirs.keys() and len(ours) > 9
        for text, vector in ours.items():
            np.testing.assert_array_equal(vector, theirs[text])
