"""Security headers: on every plugin route (derived from the URL map), never on the host's."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from ankle_intake import AnkleIntake
from ankle_intake.extension import state

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


def _plugin_requests(app: Flask, record_id: str,
                     episode_id: str | None = None) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every plugin route, ids pointing at a stored record.

    Derived from the URL map, so routes that other modules add later are covered.
    """
    requests = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("ankle_intake."):
            continue
        values = {
            arg: (episode_id or record_id) if arg == "episode_id" else record_id if "id" in arg
            else "ankle_intake.css" if arg == "filename" else "x"
            for arg in rule.arguments
        }
        url = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((rule.endpoint, method, url))
    return requests


def _check_headers(response: Any, where: object, ancestors: str = "'self'") -> None:
    headers = response.headers
    for name in HEADERS:
        assert name in headers, (where, name)
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where  # never off-site
    assert headers["Cache-Control"] == "no-store", where
    directives = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in headers["Content-Security-Policy"].split(";")
    )
    assert directives["frame-ancestors"] == ancestors, where
    if response.mimetype != "application/pdf":
        assert directives["default-src"] == "'none'", where
        assert directives["script-src"] == "'self'", where
        assert directives["style-src"] == "'self'", where
    assert "unsafe-inline" not in headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in headers["Content-Security-Policy"], where


def test_every_plugin_route_has_the_headers_and_asks_the_hook(make_app, valid) -> None:
    calls: list[int] = []
    host = make_app(authorize=lambda: calls.append(1) or True)
    client = host.test_client()
    record_id = client.post("/ankle/api/assessments", json=valid).json["id"]
    requests = _plugin_requests(host, record_id)
    endpoints = {endpoint for endpoint, _, _ in requests}
    assert {"ankle_intake.intake", "ankle_intake.result", "ankle_intake.static",
            "ankle_intake.api.create_assessment", "ankle_intake.api.get_assessment",
            "ankle_intake.api.openapi"} <= endpoints
    for endpoint, method, url in requests:
        before = len(calls)
        response = client.open(url, method=method, json=valid)
        where = (endpoint, method, response.status_code)
        assert response.status_code < 500, where
        assert len(calls) == before + 1, where  # the hook was asked, once
        _check_headers(response, where)
        response.close()
    assert state(host).storage.count() >= 1


@pytest.mark.parametrize("hook", [None, lambda: False])
def test_refused_requests_carry_the_headers_too(make_app, valid, hook) -> None:
    host = make_app(authorize=hook)
    client = host.test_client()
    for endpoint, method, url in _plugin_requests(host, "0" * 32):
        response = client.open(url, method=method, json=valid)
        assert response.status_code == 403, (endpoint, method)
        _check_headers(response, (endpoint, method))


def test_host_pages_are_left_alone(make_app) -> None:
    host = make_app(register=False)

    @host.get("/hello")
    def hello() -> str:
        return "<p>host page</p>"

    AnkleIntake(host)
    client = host.test_client()
    for response in (client.get("/hello"), client.get("/elsewhere/no-such-page"),
                     client.get("/ankleish")):
        for name in (*HEADERS, "X-Frame-Options"):
            assert name not in response.headers, (response.request.path, name)
    assert client.get("/ankle/intake").headers["Content-Security-Policy"]
    # A path under the prefix that no route matches is still the plugin's (issue 13).
    assert client.get("/ankle/no-such-page").headers["Cache-Control"] == "no-store"


def test_frame_ancestors_comes_from_the_setting(make_app) -> None:
    portal = "'self' https://intranet.example.org"
    response = make_app(ANKLE_INTAKE_FRAME_ANCESTORS=portal).test_client().get("/ankle/intake")
    _check_headers(response, "intake", ancestors=portal)
    assert "X-Frame-Options" not in response.headers  # it cannot name the portal
    default = make_app().test_client().get("/ankle/intake")
    assert default.headers["X-Frame-Options"] == "SAMEORIGIN"
    closed = make_app(ANKLE_INTAKE_FRAME_ANCESTORS="'none'").test_client().get("/ankle/intake")
    _check_headers(closed, "intake", ancestors="'none'")
    assert closed.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    ["", "   ", 5, None, "'self'; script-src *", "'self'\nX-Evil: 1", "'none' 'self'",
     "https://a.example, https://b.example", "'unsafe-inline'", "self",
     "self https://intranet.example"],
)
def test_bad_frame_ancestors_fail_at_registration(make_app, value) -> None:
    host = make_app(register=False, ANKLE_INTAKE_FRAME_ANCESTORS=value)
    with pytest.raises(ValueError, match="ANKLE_INTAKE_FRAME_ANCESTORS"):
        AnkleIntake(host)


def test_a_host_can_rewrite_the_policy_after_the_plugin(make_app) -> None:
    host = make_app(register=False)

    @host.after_request
    def widen(response: Any) -> Any:
        response.headers["Content-Security-Policy"] += "; img-src 'self' https://cdn.example"
        return response

    AnkleIntake(host)
    policy = host.test_client().get("/ankle/intake").headers["Content-Security-Policy"]
    assert policy.endswith("https://cdn.example")


class _InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not names.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _inline(html: str) -> _InlineFinder:
    finder = _InlineFinder()
    finder.feed(html)
    return finder


def test_pages_have_no_inline_script_or_style(client, app, valid) -> None:
    """Every HTML page the plugin serves (from the URL map), and the form with errors."""
    created = client.post("/ankle/api/assessments", json={**valid, "patient_name": "Ann"})
    pages = {"form with errors": client.post("/ankle/intake", data={"side": "left"})}
    assert pages["form with errors"].status_code == 400
    for endpoint, method, url in _plugin_requests(app, created.json["id"],
                                                  created.json["episode_id"]):
        if method == "GET":
            response = client.get(url)
            if response.mimetype == "text/html":
                pages[endpoint] = response
            response.close()
    assert {"ankle_intake.intake", "ankle_intake.result"} <= set(pages)
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        assert _inline(response.get_data(as_text=True)).found == [], name
    assert _inline(pages["ankle_intake.intake"].get_data(as_text=True)).scripts == 1


def test_the_inline_finder_finds_inline_code() -> None:
    html = '<script>x()</script><style>p{}</style><p style="x" onclick="y">a</p>'
    assert len(_inline(html).found) == 4


@pytest.mark.parametrize(("secure", "samesite"), [(True, "Strict"), (False, "Lax")])
def test_session_and_csrf_cookies_are_as_the_host_sets_them(make_app, secure, samesite) -> None:
    host = make_app(csrf=True, SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_SAMESITE=samesite,
                    SESSION_COOKIE_NAME="clinic_session")
    response = host.test_client().get("/ankle/intake")
    cookie = response.headers["Set-Cookie"]  # the CSRF token lives in the host's session
    assert cookie.startswith("clinic_session=")
    assert ("; Secure" in cookie) is secure
    assert f"SameSite={samesite}" in cookie and "HttpOnly" in cookie
