"""Preparing files on Ray: parse and chunk as one stage, embed in a pool of actors that each
load the model once, and hand every prepared file back to the driver, which writes it.

The driver decides what changed (``Ingester.run``) and writes; only new content travels
through Ray. Workers read the files by path, so on a cluster the folder must be mounted at the
same path on every node. Each stage's work is a plain function of a batch (``cut_batch``,
``embed_batch``), tested without Ray; ``RayPreparer`` only wires them into ``ray.data``.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.work import Cut, Job, Prepared

#: Builds the ingester a worker uses (its engine, embedder and OCR); must pickle.
MakeIngester = Callable[[], Ingester]
Batch = dict[str, list[Any]]
#: CPUs a parsing task asks Ray for.
CUT_CPUS = 0.25


def _outcome(work: Callable[[], object]) -> bytes:
    """The pickled result of ``work``, or the pickled exception it raised."""
    try:
        return pickle.dumps(work())
    except Exception as exc:  # noqa: BLE001 - a file's failure travels back as its result
        return pickle.dumps(exc)


def cut_batch(batch: Batch, ingester: Ingester) -> Batch:
    """Stage 1: parse and chunk each job of ``batch`` (column ``job``) into column ``cut``."""

    def cut(raw: bytes) -> bytes:
        job: Job = pickle.loads(raw)
        return _outcome(lambda: ingester.cut(job.source, job.root, job.digest))

    return {"job": list(batch["job"]), "cut": [cut(raw) for raw in batch["job"]]}


def embed_batch(batch: Batch, ingester: Ingester) -> Batch:
    """Stage 2: embed each cut of ``batch`` (a failed cut passes through as it is)."""

    def embed(raw: bytes) -> bytes:
        cut: Cut | Exception = pickle.loads(raw)
        if isinstance(cut, Exception):
            return raw
        return _outcome(lambda: ingester.embed(cut))

    return {"job": list(batch["job"]), "prepared": [embed(raw) for raw in batch["cut"]]}


def _cut_task(batch: Batch, make: MakeIngester) -> Batch:
    """A Ray task: parsing loads no model, so a fresh ingester per batch costs nothing."""
    return cut_batch(batch, make())


class _Embedding:
    """A Ray actor holding one ingester, so one loaded model, for every batch it is given."""

    def __init__(self, make: MakeIngester) -> None:
        self.ingester = make()

    def __call__(self, batch: Batch) -> Batch:
        return embed_batch(batch, self.ingester)


@dataclass(frozen=True, slots=True)
class RayPreparer:
    """Prepares jobs as a ``ray.data`` pipeline on the Ray cluster at ``address``.

    ``address`` None starts Ray on this machine with ``cpus`` CPUs. Parsing runs as small
    tasks (a quarter CPU each); embedding, 98 % of the work, in ``embedders`` actors (each
    with its own model; default: one per CPU), which share the rest of the CPUs.
    """

    make: MakeIngester
    address: str | None = None
    cpus: int | None = None
    embedders: int | None = None
    temp_dir: str | None = None

    def _start(self) -> Any:
        import ray

        # Ray Data reports every stage at INFO and draws progress bars; ingest has its own.
        # (Its logging is configured when ray.data is first used, so quieten it after.)
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING)
            else:
                ray.init(
                    num_cpus=self.cpus,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                    _temp_dir=self.temp_dir,
                )
        return ray

    def __call__(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, Prepared | Exception]]:
        ray = self._start()
        cpus = max(1.0, float(ray.available_resources().get("CPU", 1)))
        pool = self.embedders or int(cpus)
        rows = [{"job": pickle.dumps(job)} for job in jobs]
        data = ray.data.from_items(rows, override_num_blocks=min(len(rows), int(cpus) * 4))
        cut = data.map_batches(_cut_task, fn_args=(self.make,), batch_size=1, num_cpus=CUT_CPUS)
        # One file per call: Northwind's two long PDFs hold most of its chunks, and four files
        # a call put both on one actor while the other idled (bench/results/ray_ingest.json).
        embedded = cut.map_batches(
            _Embedding,
            fn_constructor_args=(self.make,),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=pool),
            num_cpus=max(0.5, (cpus - CUT_CPUS) / pool),
        )
        for row in embedded.iter_rows():
            yield pickle.loads(row["job"]), pickle.loads(row["prepared"])
