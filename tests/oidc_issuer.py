"""A minimal OpenID provider for tests, speaking the real protocol over HTTP: discovery, a
JWKS, an authorization endpoint that signs alice in at once, and a token endpoint that
checks the PKCE verifier. Tokens are signed with keys generated here."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

AUDIENCE = "yomitoki-test"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    """A minimal OpenID provider: discovery, JWKS, an authorization endpoint that signs alice
    in at once, and a token endpoint that checks the PKCE verifier before it answers."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, str]] = {}
        keys = [
            {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key())),
             "kid": "rsa-1", "use": "sig", "alg": "RS256"},
            {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key())),
             "kid": "ec-1", "use": "sig", "alg": "ES256"},
        ]  # fmt: skip
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks.json",
                            "authorization_endpoint": f"{issuer.url}/authorize",
                            "token_endpoint": f"{issuer.url}/token"}  # fmt: skip
                elif url.path == "/jwks.json":
                    body = {"keys": keys}
                elif url.path == "/authorize":
                    query = dict(urllib.parse.parse_qsl(url.query))
                    assert query["code_challenge_method"] == "S256"
                    code = f"code-{len(issuer.codes)}"
                    issuer.codes[code] = query
                    back = f"{query['redirect_uri']}?code={code}&state={query['state']}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                    return
                else:
                    self.send_error(404)
                    return
                self._json(200, body)

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(size).decode()))
                asked = issuer.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if (
                    asked is None
                    or b64url(digest) != asked["code_challenge"]
                    or form.get("redirect_uri") != asked["redirect_uri"]
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                id_token = issuer.token(nonce=asked["nonce"])
                self._json(200, {"id_token": id_token, "token_type": "Bearer"})

            def _json(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def token(self, key: Any = RSA_KEY, kid: str = "rsa-1", alg: str = "RS256",
              **claims: Any) -> str:  # fmt: skip
        now = int(time.time())
        body = {"iss": self.url, "aud": AUDIENCE, "sub": "u-123", "iat": now, "nbf": now,
                "exp": now + 600, "preferred_username": "alice", "groups": ["hr"],
                **claims}  # fmt: skip
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())
