"""Azure OpenAI On Your Data clients against yomitoki, through the official ``openai`` SDK's
``AzureOpenAI`` client over a real socket: nothing changed but ``azure_endpoint`` and the key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests import builders
from tests.conftest import SHARED, CountingEmbedder
from tests.llm_server import Reply, running
from tests.oidc_issuer import AUDIENCE, Issuer
from tests.options import answer_options, open_store
from tests.servers import served, settings_for
from yomitoki import assemble
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server import on_your_data
from yomitoki.server.app import create_app
from yomitoki.server.on_your_data import DataSource
from yomitoki.settings.tables import LLMConfig

KEY = "k-alice-on-your-data"
VERSION = "2024-02-01"
SECRET = "s3cr3t-search-admin-key"


def search_source(**parameters: Any) -> dict[str, Any]:
    """An On Your Data ``azure_search`` entry as clients built it."""
    return {
        "type": "azure_search",
        "parameters": {
            "endpoint": "https://contoso.search.windows.net",
            "index_name": "benefits",
            "authentication": {"type": "api_key", "key": SECRET},
            **parameters,
        },
    }


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "hr").mkdir(parents=True)
    builders.pdf(
        root / "benefits.pdf",
        [
            ["Overview. Zava offers two health plans to every employee."],
            ["Dental. The dental plan covers two cleanings a year and fillings at 80 percent."],
        ],
    )
    builders.text(root / "hr" / "pay.md", "# Pay\n\nThe zqpayx salary band is reviewed in May.\n")
    return root


def server_settings(docs: Path, tmp_path: Path, **extra: Any) -> Any:
    index = tmp_path / "idx" / "index.sqlite"
    users = [
        {"name": "alice", "key_sha256": hashlib.sha256(KEY.encode()).hexdigest(), "groups": []}
    ]
    settings = settings_for(
        index, users=users, permissions=[{"path": "hr/**", "groups": ["hr"]}], **extra
    )
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), assemble.ingest_options(settings)).run(docs)
    return settings


@pytest.fixture
def endpoint(docs: Path, tmp_path: Path) -> Iterator[str]:
    for url, _ in served(create_app(server_settings(docs, tmp_path))):
        yield url


def client(url: str, **auth: Any) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=url, api_version=VERSION, max_retries=0, **(auth or {"api_key": KEY})
    )


def ask(azure: openai.AzureOpenAI, question: str, stream: bool = False) -> Any:
    return azure.chat.completions.create(
        model="gpt-4o-benefits",
        messages=[{"role": "user", "content": question}],
        stream=stream,
        extra_body={"data_sources": [search_source(top_n_documents=3)]},
    )


def test_an_azure_openai_client_gets_doc_references_citations_and_intent(endpoint: str) -> None:
    completion = ask(client(endpoint), "How many cleanings does the dental plan cover?")
    message = completion.choices[0].message
    assert "two cleanings" in message.content and "[doc" in message.content
    context = message.model_extra["context"]
    citations = context["citations"]
    assert json.loads(context["intent"]) == ["How many cleanings does the dental plan cover?"]
    numbers = [int(n) for n in re.findall(r"\[doc(\d+)\]", message.content)]
    cited = citations[numbers[0] - 1]
    assert cited["filepath"] == "benefits.pdf" and "two cleanings" in cited["content"]
    assert cited["url"] == f"{endpoint}/content/benefits.pdf#page=2"
    assert set(cited) == {"content", "title", "url", "filepath", "chunk_id"}
    assert all(n <= len(citations) for n in numbers)
    assert httpx.get(cited["url"].split("#")[0], headers={"api-key": KEY}).status_code == 200
    assert SECRET not in completion.model_dump_json()


def test_streamed_the_first_delta_carries_the_context(endpoint: str) -> None:
    stream = ask(client(endpoint), "How many cleanings does the dental plan cover?", stream=True)
    chunks = list(stream)
    first = chunks[0].choices[0].delta
    assert first.role == "assistant" and first.model_extra["context"]["citations"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks[1:] if c.choices)
    assert "two cleanings" in text and "[doc" in text
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_permissions_hold_and_keys_come_as_azure_sends_them(endpoint: str) -> None:
    """alice (no hr group) never sees hr's text; bearer and api-key are the same principal."""
    answer = ask(client(endpoint), "zqpayx salary band review")
    shown = answer.model_dump_json()
    assert "zqpayx" not in shown.replace("zqpayx salary band review", "") and "hr/" not in shown
    with pytest.raises(openai.AuthenticationError):
        ask(client(endpoint, api_key="not-a-key"), "dental")


def test_oidc_bearer_tokens_work_through_the_sdk(
    docs: Path, tmp_path: Path, issuer: Issuer
) -> None:
    oidc = {"issuer": issuer.url, "audience": AUDIENCE}
    for url, _ in served(create_app(server_settings(docs, tmp_path, oidc=oidc))):
        as_hr = client(url, azure_ad_token=issuer.token(groups=["hr"]))
        answer = ask(as_hr, "zqpayx salary band review")
        assert "zqpayx" in answer.choices[0].message.content
        nobody = client(url, azure_ad_token=issuer.token(groups=[]))
        assert "zqpayx" not in ask(nobody, "zqpayx salary band review").choices[0].message.content


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"data_sources": [search_source(), search_source()]}, 400, "data_sources"),
        ({"data_sources": [{"type": "sharepoint", "parameters": {}}]}, 400, "type"),
        ({"data_sources": [search_source(top_n_documents=10**9)]}, 400, "top_n_documents"),
        ({"data_sources": [search_source(strictness=9)]}, 400, "strictness"),
        ({"data_sources": [search_source(filter="price gt 3")]}, 400, "category eq"),
        ({}, 400, "no LLM"),
    ],
)
def test_hostile_bodies_get_clear_errors_and_never_echo_secrets(
    endpoint: str, body: dict[str, Any], status: int, says: str
) -> None:
    request = {"messages": [{"role": "user", "content": "dental"}], **body}
    url = f"{endpoint}/openai/deployments/d/chat/completions?api-version={VERSION}"
    reply = httpx.post(url, json=request, headers={"api-key": KEY}, timeout=30)
    assert reply.status_code == status, reply.text
    assert says in reply.json()["error"]["message"] and SECRET not in reply.text


def test_an_unknown_api_version_is_not_found_in_azures_shape(endpoint: str) -> None:
    request = {"messages": [{"role": "user", "content": "dental"}],
               "data_sources": [search_source()]}  # fmt: skip
    url = f"{endpoint}/openai/deployments/d/chat/completions?api-version=2019-01-01"
    reply = httpx.post(url, json=request, headers={"api-key": KEY}, timeout=30)
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "not_found" and "2024-02-01" in error["message"]


def test_parameters_map_onto_yomitoki_and_the_rest_have_no_effect(endpoint: str) -> None:
    azure = client(endpoint)
    one = azure.chat.completions.create(
        model="d",
        messages=[{"role": "user", "content": "dental plan cleanings"}],
        extra_body={"data_sources": [search_source(
            top_n_documents=1, filter="category eq 'nothing-here'", query_type="semantic",
            semantic_configuration="default", fields_mapping={"content_fields": ["c"]},
        )]},
    )  # fmt: skip
    context = one.choices[0].message.model_extra["context"]
    assert context["citations"] == []  # no document of that category
    assert {"query_type", "semantic_configuration", "fields_mapping", "authentication"} <= set(
        context["ignored_parameters"]
    )
    strict = azure.chat.completions.create(
        model="d",
        messages=[{"role": "user", "content": "dental plan cleanings"}],
        extra_body={"data_sources": [search_source(top_n_documents=1, strictness=5)]},
    )
    cited = strict.choices[0].message.model_extra["context"]["citations"]
    assert len({c["filepath"] for c in cited}) <= 1  # one passage (it may span pages)


def test_with_an_llm_the_answer_cites_docs_and_no_data_sources_is_a_plain_chat(
    docs: Path, tmp_path: Path
) -> None:
    with running() as llm:
        row = {"model": "m", "base_url": f"{llm.url}/v1", "max_retries": 0}
        settings = server_settings(docs, tmp_path, llms={"local": row}, llm="local")
        assert LLMConfig(**row)
        for url, _ in served(create_app(settings)):
            llm.enqueue(
                Reply(["Two cleanings a year [benefits.pdf#page=2]", " and a bogus [x.pdf]."])
            )
            answer = ask(client(url), "How many cleanings?")
            content = answer.choices[0].message.content
            assert "Two cleanings a year [doc" in content and "x.pdf" not in content
            context = answer.choices[0].message.model_extra["context"]
            assert context["removed_citations"] == ["x.pdf"]
            sent = llm.requests[-1].body["messages"][0]["content"]
            assert "two cleanings" in sent  # the passages were in the prompt
            llm.enqueue(Reply(["Paris."]))
            plain = client(url).chat.completions.create(
                model="d", messages=[{"role": "user", "content": "Capital of France?"}]
            )
            assert plain.choices[0].message.content == "Paris."


def test_the_parameters_each_map_to_an_option() -> None:
    base = answer_options()
    source = DataSource.model_validate(
        search_source(
            top_n_documents=7, strictness=5, role_information="You are HR's assistant.",
            in_scope=False, filter="category eq 'hr' and category ne 'drafts'",
            fields_mapping={"title_field": "t"},
        )
    )  # fmt: skip
    with_llm = on_your_data.options_for(base, source, has_llm=True)
    assert with_llm.answer_sources == 7 and with_llm.min_answerability == 0.9
    assert with_llm.filters.categories == ("hr",)
    assert with_llm.filters.exclude_categories == ("drafts",)
    template = with_llm.prompt_template or ""
    assert template.startswith(">>>You are HR's assistant.") and "general knowledge" in template
    offline = on_your_data.options_for(base, source, has_llm=False)
    assert offline.prompt_template is None
    ignored = on_your_data.ignored(source, has_llm=False)
    assert {"endpoint", "index_name", "fields_mapping", "authentication"} <= set(ignored)
    assert {"role_information", "in_scope"} <= set(ignored)
    assert SECRET not in repr(source) and SECRET not in source.model_dump_json()
    both = on_your_data.categories_of("search.in(category, 'a|b', '|') and category eq 'c'")
    assert both == (("a", "b", "c"), ())
    assert on_your_data.STRICTNESS[3] is None  # the default keeps the calibrated threshold


@pytest.mark.slow
def test_northwind_answers_an_on_your_data_client(tmp_path: Path) -> None:
    """The issue's case: the AzureOpenAI client, unchanged but for endpoint and key, asks a
    Northwind index and gets [docN], the citations and the intent, streamed and not."""
    northwind = SHARED / "northwind" / "docs"
    if not northwind.is_dir():
        pytest.skip(f"{northwind} not found (../shared is not beside the repository)")
    settings = server_settings(northwind, tmp_path)
    for url, _ in served(create_app(settings)):
        question = "Does Northwind Health Plus cover hearing aids?"
        answer = ask(client(url), question)
        message = answer.choices[0].message
        context = message.model_extra["context"]
        assert re.search(r"\[doc\d+\]", message.content), message.content
        assert json.loads(context["intent"]) == [question]
        files = {c["filepath"] for c in context["citations"]}
        assert "Northwind_Health_Plus_Benefits_Details.pdf" in files
        chunks = list(ask(client(url), question, stream=True))
        assert chunks[0].choices[0].delta.model_extra["context"]["citations"]
