"""The worklist page: newest first, its filters, paging by cursor, refusals beside the field."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from ankle_intake.extension import state
from ankle_intake.store.tables import assessments
from ankle_intake.web import worklist as worklist_module

USER = {"id": "physio-7", "name": "Sam Physio"}
DAY0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def host(make_app) -> Flask:
    return make_app(ANKLE_INTAKE_CURRENT_USER=lambda: USER)


@pytest.fixture
def client(host: Flask) -> Any:
    return host.test_client()


def _store(client: Any, host: Flask, valid: dict, days: int, **answers: Any) -> str:
    """An intake saved ``days`` after DAY0 (the time set in the table)."""
    created = client.post("/ankle/api/assessments", json={**valid, **answers})
    assert created.status_code == 201
    record_id = created.json["id"]
    with state(host).storage._ready().begin() as conn:
        conn.execute(update(assessments).where(assessments.c.id == record_id)
                     .values(created_at=DAY0 + dt.timedelta(days=days)))
    return record_id


def _links(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/ankle/assessments/([0-9a-f-]{36})"', page)


def _sign(client: Any, record_id: str) -> None:
    assert client.post(f"/ankle/assessments/{record_id}/sign", data={}).status_code == 303


def test_newest_first_with_named_links(client, host, valid) -> None:
    old = _store(client, host, valid, 0, patient_ref="MRN-1", patient_name="Zoë <b>Old</b>")
    new = _store(client, host, valid, 2, patient_ref="MRN-2")
    response = client.get("/ankle/assessments")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _links(page) == [new, old]
    link = re.search(rf'<a href="/ankle/assessments/{old}">(.*?)</a>', page).group(1)
    name = html.unescape(re.sub(r"<[^>]+>", "", link))
    assert name == "2026-03-01 09:30 UTC, MRN-1"  # the date and the reference, not "open"
    assert "Zoë &lt;b&gt;Old&lt;/b&gt;" in page and "<b>Old" not in page
    assert 'href="/ankle/intake"' in page and "New intake" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_worklist_is_linked_from_the_form_and_the_review(client, host, valid) -> None:
    record_id = _store(client, host, valid, 0)
    for path in ("/ankle/intake", f"/ankle/assessments/{record_id}"):
        assert 'href="/ankle/assessments"' in client.get(path).get_data(as_text=True)


def test_filters(client, host, valid) -> None:
    a = _store(client, host, valid, 0, patient_ref="MRN-1")
    b = _store(client, host, valid, 1, patient_ref="MRN-2")
    c = _store(client, host, valid, 2, patient_ref="MRN-1")
    _sign(client, c)

    def listed(**query: str) -> list[str]:
        response = client.get("/ankle/assessments", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return _links(response.get_data(as_text=True))

    assert listed(patient_ref="MRN-1") == [c, a]
    assert listed(status="signed") == [c]
    assert listed(status="draft") == [b, a]
    assert listed(clinician="physio-7") == [c, b, a]
    assert listed(clinician="someone-else") == []
    assert listed(**{"from": "2026-03-02"}) == [c, b]
    assert listed(to="2026-03-02") == [b, a]  # the end date counts whole
    assert listed(**{"from": "2026-03-02", "to": "2026-03-02", "patient_ref": "MRN-2"}) == [b]
    page = client.get("/ankle/assessments?status=signed&patient_ref=MRN-1").get_data(as_text=True)
    assert 'value="MRN-1"' in page and '<option value="signed" selected>' in page


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"from": "2026-02-30"}, "from", "Enter a real date"),
    ({"to": "yesterday"}, "to", "Enter a real date"),
    ({"from": "2026-03-05", "to": "2026-03-01"}, "to", "before the start date"),
    ({"status": "deleted"}, "status", "Choose draft, signed"),
    ({"patient_ref": "x" * 300}, "patient_ref", "At most 128 characters"),
])
def test_a_bad_filter_is_named_beside_its_field(client, host, valid, query, field, words) -> None:
    _store(client, host, valid, 0)
    response = client.get("/ankle/assessments", query_string=query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    control = re.search(rf'<[^>]*\bid="{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in control and f"{field}-error" in control
    assert words in page[page.index(f'id="{field}-error"'):][:300]
    assert _links(page) == []


def test_a_bad_cursor_is_a_message_not_a_500(client) -> None:
    response = client.get("/ankle/assessments?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "start again from the first page" in response.get_data(as_text=True)


def _hidden(form: str) -> dict[str, str]:
    return {html.unescape(n): html.unescape(v)
            for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def test_paged_by_cursor_with_the_filters_kept(client, host, valid, monkeypatch) -> None:
    """Filters and the cursor travel in posted forms: a patient reference is never in a URL."""
    monkeypatch.setattr(worklist_module, "PAGE_SIZE", 2)
    ids = [_store(client, host, valid, day, patient_ref="MRN-9") for day in range(5)]
    _store(client, host, valid, 9, patient_ref="MRN-other")
    seen: list[str] = []
    data: dict[str, str] | None = {"patient_ref": "MRN-9"}
    pages = 0
    while data is not None:
        page = client.post("/ankle/assessments", data=data).get_data(as_text=True)
        assert "MRN-9" not in "".join(re.findall(r'(?:href|action)="([^"]*)"', page))
        seen.extend(_links(page))
        pages += 1
        match = re.search(r'<form method="post"[^>]*>((?:(?!</form>).)*)Next page', page, re.S)
        data = _hidden(match.group(1)) if match else None
        if data is not None:
            assert data["patient_ref"] == "MRN-9" and data["cursor"]
    assert pages == 3
    assert seen == list(reversed(ids))
