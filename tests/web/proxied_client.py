"""A browser talking to a codingwatch server on loopback, as the production server sees one
behind a TLS-terminating proxy: the proxy says X-Forwarded-Proto: https, and the browser returns
the HTTPS-only cookies (httpx keeps them back on plain HTTP, so they are kept here). Used by the
production-server test and by benchmarks/bench_serve.py."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx


class ProxiedClient:
    def __init__(self, base: str, *, proxied: bool = True, timeout: float = 120):
        self.base = base
        self.origin = base.replace("http://", "https://") if proxied else base
        self.headers = {"X-Forwarded-Proto": "https"} if proxied else {}
        self.cookies: dict[str, str] = {}
        self.second_factor_asked = False  # whether the last password login was sent on to /mfa/verify/
        self.http = httpx.Client(base_url=base, timeout=timeout)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kwargs)
        for line in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def login(self, username: str, password: str, code: str) -> httpx.Response | None:
        """The password, then the second factor (a recovery code: single use, like a TOTP code).
        The second factor's answer; None when the password is refused."""
        self.request("GET", "/login/")
        headers = {"Origin": self.origin, "Referer": f"{self.origin}/login/"}
        first = self.request("POST", "/login/", data={"username": username, "password": password,
                                                     "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
                             headers=headers)
        if first.status_code != 302:
            return None
        prompt = self.request("GET", first.headers["location"])
        self.second_factor_asked = "/mfa/verify/" in prompt.headers.get("location", "")
        self.request("GET", "/mfa/verify/")
        return self.request("POST", "/mfa/verify/", data={"token": code,
                                                          "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
                            headers={**headers, "Referer": f"{self.origin}/mfa/verify/"})
