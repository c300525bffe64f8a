"""The one place settings become objects: engines, backends and the core's option objects.

The core (``text``, ``index``, ``ingest``, ``rag``, ``evals``) never reads ``Settings``; it
takes option objects that have no defaults of their own, so every default lives in
``yomitoki.settings`` alone. The CLI, the server and the public API build what they need here.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from yomitoki.backends.base import Embedder, EmbedderInputs, EmbeddingService, RerankerInputs
from yomitoki.backends.registry import embedder_for_model, get_embedder, get_llm, get_reranker
from yomitoki.errors import ConfigError
from yomitoki.index.engine import Engine, Filters
from yomitoki.index.fusion import Fusion
from yomitoki.index.search import Searcher, SearchOptions
from yomitoki.index.sqlite.lock import writer
from yomitoki.index.sqlite.store import Store
from yomitoki.ingest.access import AccessRule
from yomitoki.ingest.ocr.reader import OcrOptions, PageReader
from yomitoki.ingest.ocr.tesseract import OcrUnavailableError, Tesseract
from yomitoki.ingest.parsers import FORMATS
from yomitoki.ingest.pipeline import Ingester
from yomitoki.ingest.source import Source
from yomitoki.ingest.work import IngestOptions, Preparer
from yomitoki.rag import answerability
from yomitoki.rag.answer import Answerer, AnswerOptions
from yomitoki.rag.prompts import Prompts
from yomitoki.rag.rerank import Reranking
from yomitoki.rag.retriever import Retriever
from yomitoki.settings import Settings
from yomitoki.settings.tables import LLMConfig, UserConfig
from yomitoki.sources import SourceOptions, open_source
from yomitoki.types import LOCAL_ADMIN, OcrMode, Principal, group_reader, user_reader

if TYPE_CHECKING:
    from yomitoki.index.milvus.client import MilvusOptions


def access_rules(settings: Settings) -> tuple[AccessRule, ...]:
    """The ``permissions`` setting as rules over paths."""
    return tuple(
        AccessRule(rule.path, readers(rule.groups, rule.users)) for rule in settings.permissions
    )


def readers(groups: Iterable[str] = (), users: Iterable[str] = ()) -> tuple[str, ...]:
    """Reader tokens for ``groups`` and ``users``."""
    return tuple(sorted({*map(group_reader, groups), *map(user_reader, users)}))


def max_bytes(settings: Settings) -> int:
    """The largest file ingest reads (and the server parses to show), in bytes."""
    return int(settings.max_file_mb * 2**20)


def ingest_options(settings: Settings, run_readers: tuple[str, ...] = ()) -> IngestOptions:
    """What ingest does with a folder, from the settings; ``run_readers`` read the files no
    permission rule covers (``ingest --group/--user``)."""
    return IngestOptions(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        max_bytes=max_bytes(settings),
        category=settings.category,
        exclude=tuple(settings.exclude),
        batch_size=settings.embed_batch_size,
        outside_links=settings.follow_outside_links,
        rules=access_rules(settings),
        readers=run_readers,
    )


def search_options(settings: Settings) -> SearchOptions:
    """How the first stage searches, from the settings."""
    fusion = Fusion(settings.fusion, settings.vector_weight, settings.rrf_k)
    return SearchOptions(candidates=settings.candidates, fusion=fusion)


def answer_options(settings: Settings, filters: Filters | None = None) -> AnswerOptions:
    """How answers are written, from the settings (and the filters of a command line)."""
    return AnswerOptions(
        mode=settings.search_mode,
        answer_sources=settings.answer_sources,
        temperature=settings.temperature,
        max_tokens=settings.max_answer_tokens,
        followups=settings.followups,
        min_support=settings.min_support,
        history_tokens=settings.history_tokens,
        answerability=answerability.load(settings.answerability),
        min_answerability=settings.min_answerability,
        sentence_scorer=settings.sentence_scorer,
        filters=filters or Filters(),
        prompt_template=None,
    )


def principal(settings: Settings, name: str | None) -> Principal:
    """The configured user called ``name`` (``--as NAME``); the local admin without one."""
    if name is None:
        return LOCAL_ADMIN
    for user in settings.users:
        if user.name == name:
            return user_principal(user)
    known = ", ".join(u.name for u in settings.users) or "none configured"
    raise ConfigError(f"no user called '{name}' in the users setting ({known})")


def user_principal(user: UserConfig) -> Principal:
    """The principal a row of ``users`` describes."""
    return Principal(user.name, frozenset(user.groups), user.admin)


def upload_bytes(settings: Settings) -> int:
    """The largest upload, in bytes (setting ``upload_max_mb``)."""
    return int(settings.upload_max_mb * 2**20)


def max_pixels(settings: Settings) -> int:
    """The most pixels an image frame may have to be read or drawn (``ocr_max_megapixels``)."""
    return int(settings.ocr_max_megapixels * 1_000_000)


def secret(value: SecretStr | None) -> str | None:
    """A secret setting's value, for the one client that needs it."""
    return value.get_secret_value() if value is not None else None


def source_options(settings: Settings) -> SourceOptions:
    """How to reach the sources, from the settings and the clients' usual variables."""
    connection = secret(settings.azure_connection_string)
    return SourceOptions(
        azure_connection_string=connection or os.environ.get("AZURE_STORAGE_CONNECTION_STRING"),
        azure_account_url=settings.azure_account_url,
        azure_credential=secret(settings.azure_credential),
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_region=settings.s3_region,
        s3_tags=settings.s3_tags,
        smb_user=settings.smb_user,
        smb_password=secret(settings.smb_password),
        smb_domain=settings.smb_domain,
        smb_acls=settings.smb_acls,
        sids={
            sid: who if who.startswith("user:") else group_reader(who)
            for sid, who in settings.smb_sids.items()
        },
        timeout=settings.source_timeout,
    )


def source(settings: Settings, uri: str) -> Source:
    """The source ``uri`` names (``az://``, ``s3://``, ``smb://``), ready to list."""
    return open_source(uri, source_options(settings))


def source_cache(settings: Settings) -> Path:
    """Where the bytes of sources' entries are kept, and their syncs recorded."""
    if settings.source_cache is not None:
        return settings.source_cache
    if settings.store == "milvus":  # no file of its own: beside where the index setting points
        return settings.index.parent / f"{settings.milvus_collection}-sources"
    return settings.index.with_name(f"{settings.index.stem}-sources")


def upload_types(settings: Settings) -> list[str]:
    """The extensions uploads may have: the setting, or every one ingest reads."""
    return list(settings.upload_types) if settings.upload_types is not None else list(FORMATS)


def milvus_options(settings: Settings) -> MilvusOptions:
    """Where the Milvus index is, from the settings."""
    from yomitoki.index.milvus.client import MilvusOptions

    return MilvusOptions(
        uri=settings.milvus_uri,
        collection=settings.milvus_collection,
        index_type=settings.milvus_index,
        token=secret(settings.milvus_token),
        user=settings.milvus_user,
        password=secret(settings.milvus_password),
        database=settings.milvus_database,
    )


def open_engine(settings: Settings, create: bool = True) -> Engine:
    """The index engine the settings name (``store``), open."""
    if settings.store == "milvus":
        try:
            from yomitoki.index.milvus.store import MilvusStore
        except ImportError:
            raise ConfigError(
                "store 'milvus' needs the Milvus client: pip install 'yomitoki[milvus]'"
            ) from None
        return MilvusStore.open(milvus_options(settings), create=create)
    return Store.open(settings.index, create=create, ann_threshold=settings.ann_threshold)


def index_location(settings: Settings) -> str:
    """The index the settings name, for messages: a file, or a Milvus server and collection."""
    if settings.store == "milvus":
        return f"{settings.milvus_uri} (collections {settings.milvus_collection}_*)"
    return str(settings.index)


@contextmanager
def writing(
    settings: Settings, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[Engine]:
    """The engine, held as this process's to write (another writer: wait, or IndexBusyError).

    A SQLite index has one writer at a time (a lock file beside it); a Milvus index takes
    several ingest processes at once, so nothing is held for it.
    """
    if settings.store == "milvus":
        with open_engine(settings) as engine:
            yield engine
        return
    # Opened first: a file that is not a yomitoki index is refused before a lock file is
    # made beside it.
    with open_engine(settings) as engine, writer(settings.index, wait, on_wait):
        yield engine


@contextmanager
def ingesting(
    settings: Settings,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    run_readers: tuple[str, ...] = (),
) -> Iterator[Ingester]:
    """An ingester over the settings' index, holding the writer lock while it is used."""
    options = ingest_options(settings, run_readers)
    with writing(settings, wait, on_wait) as engine:
        yield Ingester(
            engine,
            embedder(settings),
            options,
            ocr=page_reader(settings),
            preparer=ray_preparer(settings, run_readers),
        )


def worker_ingester(settings: Settings, run_readers: tuple[str, ...] = ()) -> Ingester:
    """The ingester a Ray worker prepares files with: it reads the index, writes nothing."""
    return Ingester(
        open_engine(settings, create=False),
        embedder(settings),
        ingest_options(settings, run_readers),
        ocr=page_reader(settings),
    )


def ray_preparer(settings: Settings, run_readers: tuple[str, ...] = ()) -> Preparer | None:
    """Ray, where the ``ray`` setting asks for it; None: files are prepared in-process."""
    if settings.ray is None:
        return None
    from yomitoki.ingest.distributed import RayPreparer

    if importlib.util.find_spec("ray") is None:
        raise ConfigError("the ray setting needs Ray: pip install 'yomitoki[ray]'")
    address = None if settings.ray == "local" else settings.ray
    make = functools.partial(worker_ingester, settings, run_readers)
    return RayPreparer(make, address=address)


def ocr_options(settings: Settings) -> OcrOptions:
    """How scans are read, from the settings."""
    return OcrOptions(
        mode=settings.ocr,
        languages=tuple(settings.ocr_languages),
        dpi=settings.ocr_dpi,
        page_seconds=settings.ocr_page_seconds,
        max_pixels=max_pixels(settings),
        workers=settings.ocr_workers or len(os.sched_getaffinity(0)),
        cache=settings.ocr_cache or settings.index.parent / "ocr-cache",
    )


def page_reader(settings: Settings) -> PageReader | None:
    """The OCR reader ingest uses for scans; None when the ``ocr`` setting turns it off."""
    if settings.ocr is OcrMode.OFF:
        return None
    return PageReader(ocr_options(settings))


def word_reader(settings: Settings) -> Tesseract | None:
    """Tesseract in the configured languages, to find a cited sentence on a scan; None when
    the ``ocr`` setting turns OCR off or Tesseract cannot run here."""
    if settings.ocr is OcrMode.OFF:
        return None
    reader = Tesseract(settings.ocr_languages, settings.ocr_page_seconds)
    try:
        reader.check()
    except OcrUnavailableError:
        return None
    return reader


def embedder_inputs(settings: Settings) -> EmbedderInputs:
    """What the embedders are built from, from the settings."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = settings.embedding_key
    service = (
        EmbeddingService(
            model=settings.embedding_model,
            url=settings.embedding_url,
            key=key.get_secret_value() if key else None,
            api=settings.embedding_api,
            api_version=settings.embedding_api_version,
            entra=settings.embedding_entra,
            timeout=settings.embedding_timeout,
            retries=settings.embedding_retries,
        )
        if settings.embedding_model
        else None
    )
    return EmbedderInputs(
        engine=settings.embedding_engine,
        cache=settings.model_cache or Path(cache) / "yomitoki",
        threads=settings.embedding_threads or len(os.sched_getaffinity(0)),
        service=service,
        query_prefix=settings.embedding_query_prefix,
        passage_prefix=settings.embedding_passage_prefix,
        input_type=settings.embedding_input_type,
    )


def embedder(settings: Settings) -> Embedder:
    """The configured embedder."""
    return get_embedder(settings.embedder, embedder_inputs(settings))


def embedder_for(engine: Engine, settings: Settings) -> Embedder:
    """The embedder of the vectors the index holds, or the configured one for a new index."""
    model = engine.model()
    return embedder_for_model(model, embedder_inputs(settings)) if model else embedder(settings)


def open_searcher(settings: Settings, create: bool = False) -> Searcher:
    """A first-stage searcher over the settings' index."""
    engine = open_engine(settings, create=create)
    return Searcher(engine, embedder_for(engine, settings), search_options(settings))


def reranking(settings: Settings, searcher: Searcher) -> Reranking | None:
    """The second stage the ``reranker`` setting names, found in the reranker registry (the
    built-in ones too), built from the LLM, model folder and prompts the settings give."""
    if settings.reranker is None:
        return None
    llm = get_llm(settings.llms[settings.llm]) if settings.llm else None
    inputs = RerankerInputs(llm, settings.cross_encoder, settings.prompt_dir)
    reranker = get_reranker(settings.reranker, inputs)
    return Reranking(reranker, settings.rerank_depth, settings.rerank_weight)


def open_retriever(settings: Settings, create: bool = False) -> Retriever:
    """Both stages over the settings' index."""
    searcher = open_searcher(settings, create=create)
    return Retriever(searcher, reranking(settings, searcher))


def open_answerer(
    settings: Settings,
    llm: LLMConfig | None = None,
    offline: bool = False,
    create: bool = False,
    filters: Filters | None = None,
) -> Answerer:
    """The answerer the settings describe: ``llm`` (or the ``llm`` row) unless ``offline``."""
    row = llm if llm is not None else (settings.llms[settings.llm] if settings.llm else None)
    model = None if offline or row is None else get_llm(row)
    return Answerer(
        open_retriever(settings, create=create),
        model,
        answer_options(settings, filters),
        Prompts(settings.prompt_dir),
    )
