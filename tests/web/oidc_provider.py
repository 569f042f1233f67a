"""A small OpenID Connect provider on loopback, for the single sign-on tests.

It speaks the authorization code flow as a real provider does over HTTP: discovery document,
`/authorize` (which logs in whoever the test put in `next_login` and redirects back with a
code), `/token` (client secret and PKCE checked; an RS256 ID token signed with joserfc),
`/userinfo` (bearer token) and `/jwks`. Written here because no provider on PyPI runs as a
library without a web framework of its own; the JOSE work is joserfc's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class Provider:
    def __init__(self, client_id: str = "codingwatch", client_secret: str = "s3cret-for-tests"):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.next_login: dict = {}  # the claims of whoever logs in next at /authorize
        self.id_token_overrides: dict = {}  # e.g. {"aud": "someone-else"}: a token meant for another client
        self.signing_key = self.key  # another key (same kid): a forged token
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_requests = 0
        self.end_session_endpoint = True  # False: a provider without RP-initiated logout
        self.ended_sessions: list[dict] = []  # the queries of the logouts the app sent here
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                **({"end_session_endpoint": f"{self.issuer}/logout"} if self.end_session_endpoint else {})}

    def id_token(self, claims: dict, nonce: str | None, *, issuer: str | None = None, audience: str | None = None) -> str:
        now = int(time.time())
        body = {"iss": issuer or self.issuer, "aud": audience or self.client_id, "iat": now, "exp": now + 300,
                **({"nonce": nonce} if nonce else {}), **claims, **self.id_token_overrides}
        return jwt.encode({"alg": "RS256", "kid": "test-key-1"}, body, self.signing_key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if url.path == "/jwks":
                    return self._json(200, KeySet([provider.key]).as_dict(private=False))
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"claims": dict(provider.next_login), "nonce": query.get("nonce"),
                                            "redirect_uri": query["redirect_uri"],
                                            "challenge": query.get("code_challenge")}
                    back = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                    return None
                if url.path == "/logout":
                    provider.ended_sessions.append(query)
                    self.send_response(302)
                    self.send_header("Location", query.get("post_logout_redirect_uri", provider.issuer))
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    claims = provider.tokens[token]
                    return self._json(200, {k: v for k, v in claims.items() if k not in ("amr",)})
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                if self.path != "/token":
                    return self._json(404, {"error": "not found"})
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                grant = provider.codes.pop(form.get("code", ""), None)
                if (form.get("client_id") != provider.client_id or form.get("client_secret") != provider.client_secret
                        or grant is None or form.get("redirect_uri") != grant["redirect_uri"]):
                    return self._json(400, {"error": "invalid_grant"})
                if grant["challenge"]:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                        return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = grant["claims"]
                return self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                        "id_token": provider.id_token(grant["claims"], grant["nonce"])})

        return Handler
