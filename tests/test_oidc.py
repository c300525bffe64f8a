"""OpenID Connect bearer tokens, checked against a local issuer that speaks the real protocol:
a discovery document and a JWKS over HTTP, tokens minted with keys the test generates."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from tests import builders
from tests.conftest import CountingEmbedder
from tests.oidc_issuer import AUDIENCE, EC_KEY, OTHER_KEY, RSA_KEY, Issuer, b64url, b64url_json
from tests.options import open_store
from yomitoki import assemble
from yomitoki.ingest.pipeline import Ingester
from yomitoki.server.app import create_app
from yomitoki.settings import load_settings


@pytest.fixture(scope="module")
def client(issuer: Issuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("docs")
    (root / "hr").mkdir()
    (root / "public").mkdir()
    builders.text(root / "hr" / "pay.md", "# Pay\n\nThe zqpayx salary band is reviewed in May.\n")
    builders.text(root / "public" / "menu.md", "# Menu\n\nThe canteen serves zqmenux soup.\n")
    index = tmp_path_factory.mktemp("idx") / "index.sqlite"
    settings = load_settings(
        index=index, embedder="hash", min_answerability=0.0,
        permissions=[{"path": "hr/**", "groups": ["hr"]}],
        oidc={"issuer": issuer.url, "audience": AUDIENCE, "admin_groups": ["it-admins"]},
    )  # fmt: skip
    with open_store(index) as store:
        Ingester(store, CountingEmbedder(), assemble.ingest_options(settings)).run(root)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def documents(client: TestClient, token: str) -> Any:
    return client.get("/documents", headers={"Authorization": f"Bearer {token}"})


def test_a_valid_token_names_the_user_and_their_groups(client: TestClient, issuer: Issuer) -> None:
    for token in (issuer.token(), issuer.token(EC_KEY, "ec-1", "ES256")):
        response = documents(client, token)
        assert response.status_code == 200, response.text
        assert {d["name"] for d in response.json()["documents"]} == {"hr/pay.md", "public/menu.md"}
    who = client.get("/auth/session", headers={"Authorization": f"Bearer {issuer.token()}"})
    assert who.json()["user"] == "alice" and who.json()["groups"] == ["hr"]
    outsider = issuer.token(preferred_username="bob", groups=["sales"])
    assert {d["name"] for d in documents(client, outsider).json()["documents"]} == {
        "public/menu.md"
    }
    admin = issuer.token(preferred_username="root", groups="it-admins")
    assert "readers" in documents(client, admin).json()["documents"][0]


def test_entra_style_tokens_name_the_user_by_oid_without_a_username(
    client: TestClient, issuer: Issuer
) -> None:
    token = issuer.token(preferred_username=None, oid="0b1c-oid", groups=["hr"])
    who = client.get("/auth/session", headers={"Authorization": f"Bearer {token}"})
    assert who.json()["user"] == "0b1c-oid"


def forged(issuer: Issuer) -> dict[str, str]:
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    claims = {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "exp": now + 600,
              "preferred_username": "alice", "groups": ["hr"]}  # fmt: skip
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    # The classic confusion attack, signed by hand (PyJWT itself refuses to make one).
    head = b64url_json({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"})
    signing_input = f"{head}.{b64url_json(claims)}".encode()
    mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    hmac_with_public_key = f"{signing_input.decode()}.{b64url(mac)}"
    return {
        "wrong issuer": issuer.token(iss="https://evil.example"),
        "wrong audience": issuer.token(aud="someone-else"),
        "signed by another key": issuer.token(OTHER_KEY),
        "alg none": unsigned,
        "HS256 keyed with the public key": hmac_with_public_key,
        "expired": issuer.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "not yet valid": issuer.token(nbf=int(time.time()) + 3600),
        "no user": issuer.token(preferred_username=None, sub=None),
        "unknown key id": issuer.token(kid="nope"),
        "garbage": "a.b.c",
    }


def test_bad_tokens_get_401_and_reveal_nothing(client: TestClient, issuer: Issuer) -> None:
    for why, token in forged(issuer).items():
        response = documents(client, token)
        assert response.status_code == 401, why
        assert "pay.md" not in response.text and "zqpay" not in response.text
        chat = client.post(
            "/chat",
            json={"messages": [{"role": "user", "content": "salary band"}]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert chat.status_code == 401, why


def test_clock_skew_within_the_leeway_is_accepted(client: TestClient, issuer: Issuer) -> None:
    just_expired = issuer.token(exp=int(time.time()) - 30)
    assert documents(client, just_expired).status_code == 200


def test_the_answer_follows_the_tokens_groups(client: TestClient, issuer: Issuer) -> None:
    body = {"messages": [{"role": "user", "content": "When is the zqpayx salary band reviewed?"}]}
    for user, groups, sees in (("alice", ["hr"], True), ("bob", [], False)):
        token = issuer.token(preferred_username=user, groups=groups)
        answer = client.post("/chat", json=body, headers={"Authorization": f"Bearer {token}"})
        cited = answer.json()["context"]["data_points"]["citations"]
        assert ("hr/pay.md" in cited) is sees, (user, cited)


def test_a_missing_issuer_is_a_clear_configuration_error(tmp_path: Path) -> None:
    from yomitoki.errors import ConfigError

    settings = load_settings(
        index=tmp_path / "i.sqlite", embedder="hash",
        oidc={"issuer": "http://127.0.0.1:9/nowhere", "audience": AUDIENCE},
    )  # fmt: skip
    with pytest.raises(ConfigError, match="cannot read the OIDC discovery document"):
        create_app(settings)


def test_the_ui_signs_in_with_authorization_code_and_pkce(
    client: TestClient, issuer: Issuer
) -> None:
    import httpx

    client.cookies.clear()
    start = client.get("/auth/login", follow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["location"]
    assert authorize.startswith(f"{issuer.url}/authorize?") and "code_challenge=" in authorize
    assert "code_verifier" not in authorize  # the verifier never leaves the server
    back = httpx.get(authorize, follow_redirects=False).headers["location"]
    callback = urllib.parse.urlsplit(back)
    assert callback.path == "/auth/callback"
    done = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "HttpOnly" in done.headers["set-cookie"]
    who = client.get("/auth/session").json()
    assert who["user"] == "alice" and who["groups"] == ["hr"]
    names = {d["name"] for d in client.get("/documents").json()["documents"]}
    assert names == {"hr/pay.md", "public/menu.md"}
    # A state is good once: replaying the callback signs no one in.
    client.cookies.clear()
    replay = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert replay.status_code == 401 and client.get("/documents").status_code == 401


def test_a_callback_with_a_forged_state_or_code_signs_no_one_in(
    client: TestClient, issuer: Issuer
) -> None:
    client.cookies.clear()
    assert client.get("/auth/callback?code=x&state=made-up").status_code == 401
    # A code issued to another sign-in (another PKCE challenge) does not redeem this one.
    import httpx

    first = client.get("/auth/login", follow_redirects=False).headers["location"]
    second = client.get("/auth/login", follow_redirects=False).headers["location"]
    code = dict(
        urllib.parse.parse_qsl(
            urllib.parse.urlsplit(
                httpx.get(first, follow_redirects=False).headers["location"]
            ).query
        )
    )["code"]
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(second).query))["state"]
    stolen = client.get(f"/auth/callback?code={code}&state={state}")
    assert stolen.status_code == 401 and client.get("/documents").status_code == 401


def test_a_users_key_with_dots_still_signs_in_beside_oidc(issuer: Issuer, tmp_path: Path) -> None:
    import hashlib

    key = "key.with.dots"
    settings = load_settings(
        index=tmp_path / "i.sqlite", embedder="hash",
        oidc={"issuer": issuer.url, "audience": AUDIENCE},
        users=[{"name": "dora", "key_sha256": hashlib.sha256(key.encode()).hexdigest()}],
    )  # fmt: skip
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        who = client.get("/auth/session", headers={"Authorization": f"Bearer {key}"})
        assert who.json()["user"] == "dora"
        assert documents(client, "not.a.key").status_code == 401


def test_a_callback_opened_in_another_browser_signs_no_one_in(
    client: TestClient, issuer: Issuer
) -> None:
    """Login CSRF: mallory starts a sign-in, signs in at the provider, and sends the callback
    URL to alice. Alice's browser never started that sign-in, so it is refused there."""
    import httpx

    settings = client.app.state.service.settings  # type: ignore[attr-defined]
    with TestClient(create_app(settings), raise_server_exceptions=False) as mallory:
        start = mallory.get("/auth/login", follow_redirects=False)
        assert "HttpOnly" in start.headers["set-cookie"]
        back = urllib.parse.urlsplit(httpx.get(start.headers["location"]).headers["location"])
        with TestClient(mallory.app, raise_server_exceptions=False) as alice:
            sent = alice.get(f"{back.path}?{back.query}", follow_redirects=False)
            assert sent.status_code == 401 and "not started in this browser" in sent.text
            assert alice.get("/auth/session").json()["signed_in"] is False
        # The state is spent: not even mallory's own browser can use it now.
        assert mallory.get(f"{back.path}?{back.query}").status_code == 401
        # A sign-in finished in the browser that started it works; two tabs both finish.
        tabs = [mallory.get("/auth/login", follow_redirects=False) for _ in range(2)]
        for tab in reversed(tabs):
            back = urllib.parse.urlsplit(httpx.get(tab.headers["location"]).headers["location"])
            done = mallory.get(f"{back.path}?{back.query}", follow_redirects=False)
            assert done.status_code == 303
            mallory.cookies.set(
                "yomitoki_signin", tabs[0].cookies["yomitoki_signin"], path="/auth/"
            )
