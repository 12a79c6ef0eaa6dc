"""Issue 13, items 2 and 3: the authorize hook fails closed; CSRFProtect over HTTPS works."""

from __future__ import annotations

import functools
import gc
import logging
import re
import warnings
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import redirect
from flask_wtf.csrf import CSRFProtect

from ankle_intake.extension import state

NAME = "Ingrid Zwölfer-Quist"


async def _async_no() -> bool:
    return False


async def _async_yes() -> bool:
    return True


class _AsyncCallable:
    async def __call__(self) -> bool:
        return True


class _User:
    """A login library's user object: truthy, and its repr names the clinician."""

    def __repr__(self) -> str:
        return f"<User {NAME}>"


@pytest.mark.parametrize("setting", ["AUTHORIZE", "CURRENT_USER"])
@pytest.mark.parametrize("hook", [_async_no, _async_yes, _AsyncCallable(),
                                  functools.partial(_async_yes)],
                         ids=["async-def-no", "async-def-yes", "async-call", "partial"])
def test_an_async_hook_is_refused_at_registration(make_app, setting, hook) -> None:
    with pytest.raises(TypeError, match=rf"ANKLE_INTAKE_{setting} must be a plain function, "
                                        r"not an async one"):
        make_app(**{f"ANKLE_INTAKE_{setting}": hook})


def _no_unawaited_coroutine(caught: list[warnings.WarningMessage]) -> None:
    gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)], caught


@pytest.mark.parametrize("answer", [
    lambda: redirect("/login"), _User, lambda: "no", lambda: "yes", lambda: 1,
    lambda: [False], lambda: {"id": "physio1"}, lambda: "True", lambda: 1.0,
], ids=["redirect", "user-object", "no", "yes", "one", "list", "mapping", "text-true",
        "float"])
def test_only_true_lets_a_request_in(make_app, valid, caplog, answer) -> None:
    """A truthy answer that is not True is a host's mistake: 403, never the record."""
    allow = {"yes": True}
    host = make_app(authorize=lambda: True if allow["yes"] else answer())
    client = host.test_client()
    stored = client.post("/ankle/api/assessments", json={**valid, "patient_name": NAME})
    assert stored.status_code == 201
    allow["yes"] = False
    caplog.set_level(logging.DEBUG)
    for url in (stored.headers["Location"], "/ankle/assessments/" + stored.json["id"],
                "/ankle/intake", "/ankle/api/openapi.json"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert NAME not in response.get_data(as_text=True)
    refused = client.post("/ankle/api/assessments", json=valid)
    assert refused.status_code == 403 and state(host).storage.count() == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all("ANKLE_INTAKE_AUTHORIZE" in r.getMessage() for r in errors)
    assert NAME not in caplog.text  # the answer's type is logged, never its value


@pytest.mark.parametrize("answer", [lambda: False, lambda: None])
def test_a_plain_no_is_403_without_an_error(make_app, caplog, answer) -> None:
    client = make_app(authorize=answer).test_client()
    caplog.set_level(logging.DEBUG)
    assert client.get("/ankle/intake").status_code == 403
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("swapped", [_async_yes, _AsyncCallable(), lambda: _async_yes()],
                         ids=["async-def", "async-call", "returns-coroutine"])
def test_a_coroutine_at_request_time_is_no_and_is_closed(make_app, valid, swapped) -> None:
    """A hook swapped in after registration (read per request) is checked again."""
    host = make_app()
    host.config["ANKLE_INTAKE_AUTHORIZE"] = swapped
    client = host.test_client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert client.get("/ankle/intake").status_code == 403
        assert client.post("/ankle/api/assessments", json=valid).status_code == 403
        _no_unawaited_coroutine(caught)
    assert state(host).storage.count() == 0


def test_a_coroutine_current_user_is_nobody(make_app, valid) -> None:
    host = make_app()
    host.config["ANKLE_INTAKE_CURRENT_USER"] = lambda: _async_user()
    client = host.test_client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = client.post("/ankle/api/assessments", json=valid).json
        assert record["created_by"] is None
        signed = client.post(f"/ankle/api/assessments/{record['id']}/sign", json={})
        assert signed.status_code == 403
        _no_unawaited_coroutine(caught)


async def _async_user() -> dict[str, str]:
    return {"id": "physio1", "name": "A Physio"}


def test_true_still_lets_the_clinician_in(make_app, valid) -> None:
    host = make_app(authorize=lambda: True,
                    ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "physio1", "name": "A Physio"})
    client = host.test_client()
    assert client.get("/ankle/intake").status_code == 200
    assert client.post("/ankle/api/assessments", json=valid).json["created_by"] == "physio1"


# Item 3: Flask-WTF's CSRFProtect on the host, over HTTPS (WTF_CSRF_SSL_STRICT, default True).

BASE = "https://localhost"
FORM = {"side": "left", "onset": "sudden", "pain_locations": ["heel"], "pain_now": "2"}


def _referer_sent(policy: str, page: str, target: str) -> str | None:
    """The Referer a browser sends from ``page`` to ``target`` under ``policy`` (W3C spec)."""
    same = urlsplit(page)[:2] == urlsplit(target)[:2]
    origin = "{}://{}/".format(*urlsplit(page)[:2])
    downgrade = urlsplit(page).scheme == "https" and urlsplit(target).scheme != "https"
    sent = {
        "no-referrer": None,
        "same-origin": page if same else None,
        "origin": origin,
        "strict-origin": None if downgrade else origin,
        "origin-when-cross-origin": page if same else origin,
        "strict-origin-when-cross-origin": page if same else None if downgrade else origin,
        "no-referrer-when-downgrade": None if downgrade else page,
        "unsafe-url": page,
    }
    return sent[policy.strip().lower()]


def _https_host(make_app: Any) -> Any:
    host = make_app(csrf=True)
    CSRFProtect(host)
    assert host.config.get("WTF_CSRF_SSL_STRICT", True) is True
    return host


def test_the_form_submits_under_csrfprotect_over_https(make_app) -> None:
    host = _https_host(make_app)
    client = host.test_client()
    page_url = BASE + "/ankle/intake"
    page = client.get("/ankle/intake", base_url=BASE)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', page.get_data(as_text=True))
    target = BASE + action.group(1)
    referer = _referer_sent(page.headers["Referrer-Policy"], page_url, target)
    assert referer == page_url  # the browser keeps it for the plugin's own form
    headers = {"Referer": referer} if referer else {}
    posted = client.post(action.group(1), base_url=BASE, headers=headers,
                         data={**FORM, "csrf_token": token})
    assert posted.status_code == 303, posted.get_data(as_text=True)[:300]
    assert state(host).storage.count() == 1
    # ... and the record's URL never leaves for another site
    elsewhere = _referer_sent(page.headers["Referrer-Policy"], page_url, "https://other.example/")
    assert elsewhere is None


def test_a_cross_site_post_is_still_refused(make_app) -> None:
    host = _https_host(make_app)
    client = host.test_client()
    page = client.get("/ankle/intake", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for headers in ({"Referer": "https://evil.example/ankle/intake"},
                    {"Referer": "http://localhost/ankle/intake"}, {}):
        refused = client.post("/ankle/intake", base_url=BASE, headers=headers,
                              data={**FORM, "csrf_token": token})
        assert refused.status_code == 400, headers
    assert state(host).storage.count() == 0
